/**
 * The answer to CloudFormation: a PUT of a JSON body to the request's pre-signed ResponseURL
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 * Until it arrives the stack waits (an hour, by default), so the body is kept within CloudFormation's
 * size limit and the PUT is retried.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface CfnResponse {
  readonly Status: "SUCCESS" | "FAILED";
  /** Why it failed: CloudFormation shows it in the stack's events. Required with FAILED. */
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Values Fn::GetAtt reads. @default - none */
  readonly Data?: Readonly<Record<string, string>>;
}

/** CloudFormation's limit on a custom resource response body: 4,096 bytes (the responses page above). */
export const MAX_RESPONSE_BYTES = 4096;
/** PUT attempts before giving up: S3 pre-signed URLs rarely fail, and the stack waits an hour when none arrives. */
export const RESPONSE_ATTEMPTS = 3;
/** Backoff before the second attempt, doubled before each later one. */
export const RESPONSE_BACKOFF_MS = 1000;

const byteLength = (s: string) => Buffer.byteLength(s, "utf8");

/** The body as JSON, the reason shortened (with a marker) so that the whole fits MAX_RESPONSE_BYTES. */
export function responseBody(r: CfnResponse): string {
  const full = JSON.stringify(r);
  if (byteLength(full) <= MAX_RESPONSE_BYTES || !r.Reason) return full;
  const marker = " [...]";
  let reason = r.Reason;
  let body = full;
  while (byteLength(body) > MAX_RESPONSE_BYTES && reason.length > 0) {
    reason = reason.slice(0, Math.max(0, reason.length - Math.max(16, byteLength(body) - MAX_RESPONSE_BYTES)));
    body = JSON.stringify({ ...r, Reason: `${reason}${marker}` });
  }
  return body;
}

function put(url: string, body: string): Promise<number> {
  const u = new URL(url);
  const request = u.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: "PUT",
        // The URL is signed without a content type: an empty one, as CloudFormation's own cfn-response module sends.
        headers: { "content-type": "", "content-length": byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** PUTs the response, retrying a failed or refused PUT; throws once the attempts are spent. */
export async function sendResponse(
  url: string,
  response: CfnResponse,
  backoffMs: number = RESPONSE_BACKOFF_MS,
): Promise<void> {
  const body = responseBody(response);
  let last = "";
  for (let attempt = 1; attempt <= RESPONSE_ATTEMPTS; attempt++) {
    try {
      const status = await put(url, body);
      if (status >= 200 && status < 300) return;
      last = `HTTP ${status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (attempt < RESPONSE_ATTEMPTS) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
  }
  throw new Error(`the response to CloudFormation was not delivered after ${RESPONSE_ATTEMPTS} attempts: ${last}`);
}
