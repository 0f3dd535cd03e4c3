/**
 * `sideline decide --target aws`: answers a deployed scouting workflow's wait with the task token,
 * as the scouts' tool would, through the ScoutDecider role's grant (SendTaskSuccess). Credentials
 * come from the default chain.
 */
import { SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient } from "@aws-sdk/client-sfn";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { ScoutDecision } from "../emulators/workflows.js";

export interface AwsDecisionOptions {
  readonly region?: string;
  /** A Step Functions-compatible endpoint. @default - the AWS endpoint of the region */
  readonly endpoint?: string;
}

/** A decision, or `hold`: a heartbeat that keeps the wait open (SendTaskHeartbeat). */
export async function decideOnAws(
  token: string,
  decision: ScoutDecision | "hold",
  o: AwsDecisionOptions = {},
): Promise<void> {
  const client = new SFNClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
  });
  try {
    // The output becomes the AwaitDecision state's result: {"decision": ..., "reason": ...}.
    if (decision === "hold") await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    else await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(decision) }));
  } finally {
    client.destroy();
  }
}
