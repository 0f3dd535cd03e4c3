/**
 * `sideline crm set-credentials --target aws`: gives the deployed CRM API destination its real
 * credential (crm-aws.ts), read from stdin or a named environment variable (crm-token.ts).
 */
import type { Stage } from "../../../lib/config.js";
import { AUTHORIZATION_WAIT, CRM_DEPLOYED, setCrmCredentials } from "../crm-aws.js";
import { assertConnectionSecret, readToken } from "../crm-token.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { printable } from "../terminal.js";

export const name = "crm";
export const synopsis = "crm set-credentials";
export const summary = "give the deployed CRM connection its credential (read from stdin, never from argv)";

/** The environment variable the local runtime reads its CRM token from (local/cli/index.ts). */
const LOCAL_TOKEN_ENV = "SIDELINE_CRM_TOKEN";
const STAGES: readonly Stage[] = ["dev", "prod"];
/** How an API-key credential is sent, as the local runtime sends SIDELINE_CRM_TOKEN. */
const BEARER = "Bearer ";

export const options = {
  target: { type: "string" },
  stage: { type: "string" },
  connection: { type: "string" },
  "secret-id": { type: "string" },
  "token-env": { type: "string" },
  "header-value": { type: "boolean" },
  region: { type: "string" },
  endpoint: { type: "string" },
} as const;

export const help = `usage: sideline crm set-credentials --target aws [options] < credential

Puts the CRM credential into the CrmCredentials secret (PutSecretValue) and into the EventBridge
connection (UpdateConnection, same authorization type), then waits up to ${AUTHORIZATION_WAIT.limitMs / 1000} s for
EventBridge to authorize the connection: exit 1 with EventBridge's reason when it ends DEAUTHORIZED.
A connection keeps its own copy of its credential, made when it was created: a value put into
CrmCredentials alone changes nothing EventBridge sends.

The credential is read from stdin (one final line break is dropped) or from the variable named by
--token-env; never from the command line, and it is never printed. For an API-key connection it is
the CRM token, sent as 'Authorization: Bearer <token>' as the local runtime sends ${LOCAL_TOKEN_ENV};
for an OAuth connection (crmAuth oauth) it is the client secret.

  sideline crm set-credentials --target aws --stage prod < token.txt
  SIDELINE_CRM_TOKEN=... sideline crm set-credentials --target aws --token-env SIDELINE_CRM_TOKEN

crm options:
  --target aws              the deployed stacks (locally there is nothing to set: the local runtime
                            reads ${LOCAL_TOKEN_ENV} each time it runs)
  --stage S                 dev or prod: whose automation stack (Sideline-<stage>-Automation)
                            names the connection and the secret (default dev)
  --connection NAME         the connection, instead of the stack's CrmConnection
  --secret-id ID            the secret's name or ARN, instead of the stack's CrmCredentials
  --token-env NAME          read the credential from this environment variable instead of stdin
  --header-value            API key only: the credential is the whole Authorization header value
                            (e.g. 'Token abc'), sent as is instead of 'Bearer <credential>'
  --region R                the stacks' region (default: the AWS SDK's, e.g. AWS_REGION)
  --endpoint U              one endpoint for CloudFormation, Secrets Manager and EventBridge instead of
                            the region's (an emulator)

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

function stageOption(v: string | undefined): Stage {
  if (v === undefined) return "dev";
  if (!(STAGES as readonly string[]).includes(v)) throw new UsageError(`--stage must be dev or prod, got '${v}'`);
  return v as Stage;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length !== 1 || positionals[0] !== "set-credentials")
    throw new UsageError("crm takes set-credentials: sideline crm set-credentials --target aws < token.txt");
  const target = stringValue(values.target);
  if (target === "local")
    throw new UsageError(
      `there is nothing to set locally: the local runtime reads ${LOCAL_TOKEN_ENV} (and SIDELINE_CRM_URL) each time it runs; export it in the shell that runs sideline`,
    );
  if (target !== "aws")
    throw new UsageError(
      target === undefined
        ? "crm set-credentials needs --target aws (the deployed connection)"
        : `unknown target '${target}': expected aws (or local, which reads ${LOCAL_TOKEN_ENV})`,
    );
  const stage = stageOption(stringValue(values.stage));
  const connection = stringValue(values.connection);
  const secretId = stringValue(values["secret-id"]);
  const region = stringValue(values.region);
  const endpoint = stringValue(values.endpoint);
  const tokenEnv = stringValue(values["token-env"]);
  const headerValue = values["header-value"] === true;

  const token = await readToken(tokenEnv !== undefined ? { env: tokenEnv } : { stdin: process.stdin });
  assertConnectionSecret(token, "the credential");
  const valueFor = (type: "API_KEY" | "OAUTH_CLIENT_CREDENTIALS") => {
    if (type === "OAUTH_CLIENT_CREDENTIALS") {
      if (headerValue)
        throw new UsageError("--header-value is for API-key connections: this one uses OAuth; give the client secret");
      return token;
    }
    const value = headerValue ? token : `${BEARER}${token}`;
    assertConnectionSecret(value, "the Authorization header value");
    return value;
  };
  // A connection that ends DEAUTHORIZED (or is still authorizing) throws: exit 1 with EventBridge's reason.
  const r = await setCrmCredentials(
    { stage, ...(connection ? { connection } : {}), ...(secretId ? { secretId } : {}) },
    valueFor,
    { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
  );
  const field = CRM_DEPLOYED.secretField[r.authorizationType];
  process.stdout.write(
    `${printable(`updated secret ${r.secretId} (${field}) and connection ${r.connection} (${r.authorizationType}): ${r.state}`)}\n`,
  );
  return EXIT.ok;
}
