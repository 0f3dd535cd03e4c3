/**
 * The CRM credential for `sideline crm set-credentials`: read from stdin or from a named environment
 * variable, never from the command line (argv is in shell history and in `ps` for every user), and
 * checked against what EventBridge accepts before anything is sent. No message here quotes the value.
 */
import { UsageError } from "./options.js";

/**
 * What EventBridge accepts for ApiKeyValue and ClientSecret: 1 to 512 characters, no control
 * character and no ':' (UpdateConnectionApiKeyAuthRequestParameters and
 * UpdateConnectionOAuthClientRequestParameters, both the same pattern:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UpdateConnectionApiKeyAuthRequestParameters.html).
 */
export const CONNECTION_SECRET_MAX = 512;
// biome-ignore lint/suspicious/noControlCharactersInRegex: EventBridge's own pattern, which refuses control characters
const CONNECTION_SECRET = /^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$/;

/** Where the credential comes from: a variable's name, or stdin. */
export type TokenSource = { readonly env: string } | { readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean } };

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The credential, as given: stdin less one final line break (what `echo` and a here-string add), or
 * the variable's value. Refuses an empty value and a terminal on stdin (typing a secret there would
 * show it on screen).
 */
export async function readToken(source: TokenSource): Promise<string> {
  if ("env" in source) {
    const v = process.env[source.env];
    if (!v) throw new UsageError(`environment variable ${source.env} is not set or is empty`);
    return v;
  }
  if (source.stdin.isTTY)
    throw new UsageError(
      "the credential is read from stdin, which is a terminal: pipe it in (e.g. from a password manager) or name an environment variable with --token-env",
    );
  const v = (await readAll(source.stdin)).replace(/\r?\n$/, "");
  if (!v)
    throw new UsageError("stdin was empty: pipe the credential in, or name an environment variable with --token-env");
  return v;
}

/** Throws unless EventBridge would take `value` as an API key value or client secret; the message names `what`, never the value. */
export function assertConnectionSecret(value: string, what: string): void {
  if (value.length > CONNECTION_SECRET_MAX)
    throw new UsageError(`${what} is ${value.length} characters: EventBridge takes ${CONNECTION_SECRET_MAX} at most`);
  if (!CONNECTION_SECRET.test(value))
    throw new UsageError(
      `${what} has a line break, another control character or a ':', which EventBridge refuses (one final line break on stdin is dropped)`,
    );
}
