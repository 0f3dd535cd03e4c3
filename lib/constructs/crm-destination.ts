/**
 * Where the automation's CRM requests go: the club's CRM through an EventBridge API destination
 * (credentials in Secrets Manager, a connection, a rate limit, the Idempotency-Key header), or, while
 * no CRM endpoint is set, an encrypted SQS outbox that the club's integration reads (crm_outbox
 * locally), so nothing is lost. The body runs in a fixed order, as AWS Solutions Constructs do:
 * validate the props, build, grant, expose.
 *
 * Logical ids are a contract: these resources were first created by the automation stack itself
 * (CrmCredentials, CrmConnection, Crm, CrmOutbox), so they are created in the scope this construct
 * is given, beside it rather than under it. Nesting them under the construct would rename them, and
 * CloudFormation would replace the secret, the connection and the outbox with its messages.
 */
import { Duration, RemovalPolicy, SecretValue, Token } from "aws-cdk-lib";
import {
  ApiDestination,
  Authorization,
  type CfnConnection,
  Connection,
  HttpMethod,
  type Rule,
  RuleTargetInput,
} from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { type IQueue, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { DEFAULTS, type SidelineConfig } from "../config.js";
import { acknowledge, inlinePolicyReason } from "../nag.js";

/** The outbox keeps requests 14 days, SQS's maximum, for the club's integration to catch up. */
const OUTBOX_RETENTION = Duration.days(14);
/** EventBridge's limits for an API destination's InvocationRateLimitPerSecond (AWS::Events::ApiDestination). */
const RATE_LIMIT_RANGE = [1, 300] as const;

/** The rule target's retry policy and dead-letter queue: every automation target has both. */
export interface CrmTargetRetry {
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

export interface CrmDestinationProps {
  /** The rule whose events (CRM requests) this construct delivers: their `detail` is the request body. */
  readonly rule: Rule;
  readonly retry: CrmTargetRetry;
  /**
   * Encrypts the credentials secret, the connection's EventBridge-managed secret and the outbox. For
   * a connection, EventBridge needs the key tagged EventBridgeApiDestinations=true and a key policy
   * that lets events.amazonaws.com use it (the security stack's data key is).
   */
  readonly dataKey: IKey;
  /**
   * The CRM's webhook, an https:// URL (API destinations need TLS).
   * @default - no API destination: requests wait in the CrmOutbox queue
   */
  readonly endpoint?: string;
  /**
   * How EventBridge authenticates to the CRM: an API key sent as the Authorization header, or OAuth
   * client credentials. The secret holds apiKey or clientSecret; put the real value after the first deploy.
   * @default "api-key"
   */
  readonly auth?: SidelineConfig["crmAuth"];
  /**
   * The OAuth token endpoint (https); required with auth oauth.
   * @default - none: only used with auth oauth
   */
  readonly oauthTokenUrl?: string;
  /**
   * The OAuth client id; required with auth oauth.
   * @default - none: only used with auth oauth
   */
  readonly oauthClientId?: string;
  /**
   * API destination invocations per second: what the CRM's API allows (1-300).
   * @default DEFAULTS.crmRateLimitPerSecond (10)
   */
  readonly rateLimitPerSecond?: number;
  /**
   * What happens to the outbox queue, or the CRM credentials secret, when it leaves the stack.
   * @default RemovalPolicy.RETAIN: the outbox may hold requests the CRM has not had yet; the secret
   * holds the credential the CRM issued
   */
  readonly removalPolicy?: RemovalPolicy;
}

function validate(p: CrmDestinationProps): void {
  const https = (name: string, v: string | undefined) => {
    if (v !== undefined && !Token.isUnresolved(v) && !/^https:\/\/[^\s]+$/.test(v))
      throw new Error(`crm destination: ${name} must be an https:// URL (API destinations need TLS), got '${v}'`);
  };
  https("endpoint", p.endpoint);
  https("oauthTokenUrl", p.oauthTokenUrl);
  if (p.auth === "oauth" && (!p.oauthTokenUrl || !p.oauthClientId))
    throw new Error("crm destination: auth oauth needs oauthTokenUrl and oauthClientId");
  const rate = p.rateLimitPerSecond;
  const [min, max] = RATE_LIMIT_RANGE;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < min || rate > max))
    throw new Error(`crm destination: rateLimitPerSecond must be an integer from ${min} to ${max}, got ${rate}`);
}

/** What a build helper made: the rule target and the resources behind it. */
interface Built {
  readonly target: targets.ApiDestination | targets.SqsQueue;
  readonly credentials?: Secret;
  readonly connection?: Connection;
  readonly destination?: ApiDestination;
  readonly outbox?: Queue;
}

/** The secret, the connection and the API destination, in `scope`; the target sends the request with its Idempotency-Key. */
function buildApiDestination(scope: Construct, p: CrmDestinationProps, endpoint: string): Built {
  const oauth = p.auth === "oauth";
  // Credentials in Secrets Manager, under the data key: put the real value after the first deploy.
  const credentials = new Secret(scope, "CrmCredentials", {
    description:
      "Sideline CRM credentials: apiKey (the full Authorization header value, e.g. 'Bearer ...') or clientSecret",
    encryptionKey: p.dataKey,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({}),
      generateStringKey: oauth ? "clientSecret" : "apiKey",
      excludePunctuation: true,
    },
    // The credential the CRM issued: deleting it with the stack would cut the CRM off until it is reissued.
    removalPolicy: p.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  const noRotation =
    "The CRM issues this credential; it is rotated in the CRM and then here, which a Secrets Manager rotation Lambda cannot do.";
  acknowledge(credentials, {
    "AwsSolutions-SMG4": noRotation,
    "HIPAA.Security-SecretsManagerRotationEnabled": noRotation,
  });
  const authorization = oauth
    ? Authorization.oauth({
        // Both present: validate() checked them.
        authorizationEndpoint: p.oauthTokenUrl!,
        clientId: p.oauthClientId!,
        clientSecret: SecretValue.secretsManager(credentials.secretArn, { jsonField: "clientSecret" }),
        httpMethod: HttpMethod.POST,
      })
    : Authorization.apiKey("Authorization", SecretValue.secretsManager(credentials.secretArn, { jsonField: "apiKey" }));
  const connection = new Connection(scope, "CrmConnection", { description: "Sideline -> CRM", authorization });
  // The connection's own secret (EventBridge-managed) under the data key too.
  (connection.node.findChild("Connection") as CfnConnection).kmsKeyIdentifier = p.dataKey.keyArn;
  const destination = new ApiDestination(scope, "Crm", {
    connection,
    endpoint,
    httpMethod: HttpMethod.POST,
    rateLimitPerSecond: p.rateLimitPerSecond ?? DEFAULTS.crmRateLimitPerSecond,
    description: "The club's CRM webhook",
  });
  const target = new targets.ApiDestination(destination, {
    ...p.retry,
    event: RuleTargetInput.fromEventPath("$.detail"),
    headerParameters: { "Idempotency-Key": "$.detail.idempotency_key" },
  });
  return { target, credentials, connection, destination };
}

/** No CRM yet: requests wait in an encrypted outbox queue (crm_outbox locally), in `scope`; nothing is lost. */
function buildOutbox(scope: Construct, p: CrmDestinationProps): Built {
  const outbox = new Queue(scope, "CrmOutbox", {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: p.dataKey,
    enforceSSL: true,
    retentionPeriod: OUTBOX_RETENTION,
    removalPolicy: p.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  acknowledge(outbox, {
    "AwsSolutions-SQS3": "The CRM outbox is read by the club's integration; its failed events go to the targets' DLQ.",
    "Serverless-SQSRedrivePolicy":
      "Messages are kept until the CRM integration consumes them; there is no consumer to redrive from.",
  });
  const target = new targets.SqsQueue(outbox, { ...p.retry, message: RuleTargetInput.fromEventPath("$.detail") });
  return { target, outbox };
}

export class CrmDestination extends Construct {
  /** The API destination, when an endpoint is set. */
  readonly destination?: ApiDestination;
  /** Its connection (authorization under the data key), when an endpoint is set. */
  readonly connection?: Connection;
  /** The CRM credentials (apiKey or clientSecret), when an endpoint is set. */
  readonly credentials?: Secret;
  /** The outbox the club's integration reads, when no endpoint is set. */
  readonly outbox?: Queue;

  constructor(scope: Construct, id: string, props: CrmDestinationProps) {
    super(scope, id);
    validate(props);

    // Build, in `scope`, not `this`: the logical ids stay those the stack gave them (module comment).
    const built = props.endpoint ? buildApiDestination(scope, props, props.endpoint) : buildOutbox(scope, props);

    // Grant: binding the target lets the rule reach it and nothing else: an EventsRole that may invoke
    // this one API destination, or a queue policy that lets this rule send to the outbox.
    props.rule.addTarget(built.target);
    const eventsRole = built.destination?.node.tryFindChild("EventsRole");
    if (eventsRole)
      acknowledge(
        eventsRole,
        inlinePolicyReason("The CRM rule's EventsRole (InvokeApiDestination on this one destination)"),
      );

    // Expose.
    this.destination = built.destination;
    this.connection = built.connection;
    this.credentials = built.credentials;
    this.outbox = built.outbox;
  }
}
