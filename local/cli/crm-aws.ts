/**
 * `sideline crm set-credentials --target aws`: puts the CRM credential into the CrmCredentials
 * secret and into the EventBridge connection, then reads the connection's state. Credentials come
 * from the default chain.
 *
 * Both, because an EventBridge connection keeps its own copy of its authorization parameters (a
 * secret EventBridge manages, events!connection/...): CloudFormation resolved the CrmCredentials
 * value once, when it created the connection, so a new value in CrmCredentials alone changes nothing
 * EventBridge sends. CrmCredentials is still written: it is what CloudFormation resolves again when
 * a later deploy changes the connection.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from "@aws-sdk/client-cloudformation";
import {
  type ConnectionState,
  DescribeConnectionCommand,
  type DescribeConnectionCommandOutput,
  EventBridgeClient,
  UpdateConnectionCommand,
} from "@aws-sdk/client-eventbridge";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Stage } from "../../lib/config.js";

/**
 * What lib/constructs/crm-destination.ts creates, written down for the CLI; test/infra/crm-cli-contract.test.ts
 * checks each against the synthesized automation stack.
 */
export const CRM_DEPLOYED = {
  /** The automation stack of a stage (lib/sideline.ts: `Sideline-<stage>-Automation`). */
  stackName: (stage: Stage) => `Sideline-${stage}-Automation`,
  /** Logical ids: a contract of the construct (its module comment), so stable across deploys. */
  secretLogicalId: "CrmCredentials2CE96E65",
  connectionLogicalId: "CrmConnection380D27F2",
  /** The header an API-key connection sets: the secret's apiKey is its whole value. */
  apiKeyHeader: "Authorization",
  /** The JSON field of CrmCredentials the connection reads, by authorization type. */
  secretField: { API_KEY: "apiKey", OAUTH_CLIENT_CREDENTIALS: "clientSecret" },
} as const;

type CrmAuthType = keyof typeof CRM_DEPLOYED.secretField;

/** How long to wait for EventBridge to authorize the connection, and how often to look. */
export const AUTHORIZATION_WAIT = { limitMs: 60_000, intervalMs: 1_000 } as const;

/**
 * Connection states (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-states.html):
 * AUTHORIZED for a public API and ACTIVE for a private one are success; DEAUTHORIZED (authorization
 * failed) and FAILED_CONNECTIVITY are failures; the rest are transitions to wait through.
 */
const SUCCESS: readonly ConnectionState[] = ["AUTHORIZED", "ACTIVE"];
const FAILURE: readonly ConnectionState[] = ["DEAUTHORIZED", "FAILED_CONNECTIVITY"];

export interface AwsCrmOptions {
  readonly region?: string;
  /** One endpoint for CloudFormation, Secrets Manager and EventBridge (a stub or an emulator). @default - each service's endpoint in the region */
  readonly endpoint?: string;
}

export interface CrmTargets {
  /** The connection's name. @default - the automation stack's CrmConnection */
  readonly connection?: string;
  /** The CrmCredentials secret's name or ARN. @default - the automation stack's CrmCredentials */
  readonly secretId?: string;
  /** Whose automation stack holds the defaults. */
  readonly stage: Stage;
}

export interface SetCredentialsResult {
  readonly connection: string;
  readonly secretId: string;
  readonly authorizationType: CrmAuthType;
  readonly state: ConnectionState;
}

function clientConfig(o: AwsCrmOptions) {
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
  };
}

/** The physical id of one of the automation stack's resources: the secret's ARN, the connection's name (their Ref values). */
async function stackResource(
  cfn: CloudFormationClient,
  stage: Stage,
  logicalId: string,
  what: string,
): Promise<string> {
  const stackName = CRM_DEPLOYED.stackName(stage);
  try {
    const r = await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
    const id = r.StackResourceDetail?.PhysicalResourceId;
    if (!id) throw new Error(`${stackName} has no physical id for ${logicalId}`);
    return id;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(
      `cannot find the ${what} in stack ${stackName} (${message}): deploy with crmEndpoint set (without it requests wait in CrmOutbox and there is no connection), pick the stage with --stage, or name it with --${what === "connection" ? "connection" : "secret-id"}`,
    );
  }
}

function authType(c: DescribeConnectionCommandOutput, name: string): CrmAuthType {
  const t = c.AuthorizationType;
  if (t === "API_KEY" || t === "OAUTH_CLIENT_CREDENTIALS") return t;
  throw new Error(
    `connection ${name} uses ${t ?? "no"} authorization: the Sideline stacks create API_KEY or OAUTH_CLIENT_CREDENTIALS connections`,
  );
}

/**
 * The state once EventBridge has finished with the update: DescribeConnection until the state is no
 * longer a transition, for up to AUTHORIZATION_WAIT.limitMs.
 */
async function settledState(
  events: EventBridgeClient,
  name: string,
  wait: typeof AUTHORIZATION_WAIT,
): Promise<DescribeConnectionCommandOutput> {
  const deadline = Date.now() + wait.limitMs;
  for (;;) {
    const c = await events.send(new DescribeConnectionCommand({ Name: name }));
    const state = c.ConnectionState;
    if (state && (SUCCESS.includes(state) || FAILURE.includes(state))) return c;
    if (Date.now() + wait.intervalMs > deadline) return c;
    await new Promise((r) => setTimeout(r, wait.intervalMs));
  }
}

/**
 * Writes `value` (the whole Authorization header value for an API-key connection, the client secret
 * for an OAuth one) into CrmCredentials and into the connection, with the authorization type the
 * connection already has (EventBridge re-authorizes a public API's connection only when the update
 * names the type and its parameters: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-edit.html),
 * then waits for the connection to be authorized. Throws when it is not (DEAUTHORIZED, FAILED_CONNECTIVITY, or still authorizing).
 *
 * `valueFor` turns the credential into what is sent, once the authorization type is known.
 */
export async function setCrmCredentials(
  targets: CrmTargets,
  valueFor: (type: CrmAuthType) => string,
  o: AwsCrmOptions = {},
  wait: typeof AUTHORIZATION_WAIT = AUTHORIZATION_WAIT,
): Promise<SetCredentialsResult> {
  const config = clientConfig(o);
  const cfn = new CloudFormationClient(config);
  const secrets = new SecretsManagerClient(config);
  const events = new EventBridgeClient(config);
  try {
    const connection =
      targets.connection ?? (await stackResource(cfn, targets.stage, CRM_DEPLOYED.connectionLogicalId, "connection"));
    const secretId =
      targets.secretId ?? (await stackResource(cfn, targets.stage, CRM_DEPLOYED.secretLogicalId, "secret"));
    const current = await events.send(new DescribeConnectionCommand({ Name: connection }));
    const type = authType(current, connection);
    const value = valueFor(type);
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ [CRM_DEPLOYED.secretField[type]]: value }),
      }),
    );
    await events.send(
      new UpdateConnectionCommand({
        Name: connection,
        AuthorizationType: type,
        AuthParameters:
          type === "API_KEY"
            ? { ApiKeyAuthParameters: { ApiKeyName: CRM_DEPLOYED.apiKeyHeader, ApiKeyValue: value } }
            : {
                OAuthParameters: {
                  ClientParameters: {
                    ...(current.AuthParameters?.OAuthParameters?.ClientParameters?.ClientID
                      ? { ClientID: current.AuthParameters.OAuthParameters.ClientParameters.ClientID }
                      : {}),
                    ClientSecret: value,
                  },
                },
              },
      }),
    );
    const settled = await settledState(events, connection, wait);
    const state = settled.ConnectionState;
    if (!state || !SUCCESS.includes(state)) {
      const reason = settled.StateReason ? `: ${settled.StateReason}` : "";
      throw new Error(
        state && FAILURE.includes(state)
          ? `secret ${secretId} and connection ${connection} updated, but the connection is ${state}${reason}: check the credential with the CRM and run set-credentials again`
          : `secret ${secretId} and connection ${connection} updated; the connection is still ${state ?? "in no state"}${reason} after ${wait.limitMs / 1000} s: check it with 'aws events describe-connection --name ${connection}'`,
      );
    }
    return { connection, secretId, authorizationType: type, state };
  } finally {
    cfn.destroy();
    secrets.destroy();
    events.destroy();
  }
}
