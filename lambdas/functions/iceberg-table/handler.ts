/**
 * The iceberg-table Lambda handler: the service token of the `Custom::IcebergTable` resources, one
 * per lake table. Contract with CloudFormation: it invokes the function asynchronously with a
 * Create, Update or Delete request (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html)
 * and waits for the answer PUT to the request's ResponseURL, not for the function's return. So the
 * handler always answers, SUCCESS or FAILED with the reason, before its own timeout, and then returns
 * normally: a throw would only make Lambda invoke it again.
 * - Create and Update make the table match the definition (tables.ts: create, adopt, evolve); a
 *   refused change fails the deployment with the table, the field and what to do.
 * - Delete deletes the catalog entry only when the resource says destroy; never the table's files.
 * The physical id is `<database>.<table>`. A failed Create answers with a marker id instead, so that
 * the rollback's Delete, which carries it, leaves alone a table that this request did not make (one
 * that existed before, which the Create tried to adopt), as CDK's own provider framework does
 * (aws-cdk, custom-resources provider-framework runtime: CREATE_FAILED_PHYSICAL_ID_MARKER).
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import type { GlueClient } from "@aws-sdk/client-glue";
import middy from "@middy/core";
import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";
import {
  type IcebergTableRequest,
  icebergTablePhysicalId,
  parseIcebergTableProperties,
} from "../../contracts/tables/iceberg-resource.js";
import { logger } from "../../runtime/powertools.js";
import { type CfnResponse, sendResponse } from "./cfn-response.js";
import { IcebergTables } from "./tables.js";

/** The physical id answered for a Create that failed (see the module comment). */
export const CREATE_FAILED_PHYSICAL_ID = "SIDELINE::IcebergTable::CREATE_FAILED";

/**
 * Time kept back from the function's timeout to answer in: a Glue call still running then is
 * abandoned, and the request answered FAILED, rather than the function killed with no answer.
 */
export const RESPONSE_MARGIN_MS = 10_000;

/**
 * The most of the change list the answer's Data carries: the whole answer must stay within
 * CloudFormation's 4,096 bytes (cfn-response.ts), and the full list is in the function's log.
 */
export const CHANGES_DATA_CHARS = 1024;

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 6)} [...]`);

export interface IcebergTableHandlerOptions {
  readonly glue: GlueClient;
  /** The database this function owns (its IAM policy names no other): a request for another fails. */
  readonly databaseName: string;
  /** Delivers the answer. @default sendResponse (PUT to the ResponseURL, retried) */
  readonly respond?: (url: string, response: CfnResponse) => Promise<void>;
  /** @default RESPONSE_MARGIN_MS */
  readonly responseMarginMs?: number;
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

export type IcebergTableHandler = (event: CloudFormationCustomResourceEvent, context: Context) => Promise<void>;

/** What one request did, for the answer's Data and the log. */
interface Done {
  readonly physicalId: string;
  readonly outcome: string;
  readonly changes?: readonly string[];
  readonly notes?: readonly string[];
}

export function createIcebergTableHandler(options: IcebergTableHandlerOptions): IcebergTableHandler {
  const tables = new IcebergTables(options.glue);
  const respond = options.respond ?? ((url: string, r: CfnResponse) => sendResponse(url, r));
  const marginMs = options.responseMarginMs ?? RESPONSE_MARGIN_MS;

  const parse = (raw: unknown): IcebergTableRequest => {
    const r = parseIcebergTableProperties(raw);
    if (r.databaseName !== options.databaseName)
      throw new Error(
        `table ${r.databaseName}.${r.tableName}: this function owns the tables of ${options.databaseName} only`,
      );
    return r;
  };

  const handle = async (event: CloudFormationCustomResourceEvent): Promise<Done> => {
    if (event.RequestType === "Delete") {
      // Properties that no longer parse cannot name a table this function made: nothing to delete.
      let r: IcebergTableRequest;
      try {
        r = parse(event.ResourceProperties);
      } catch (e) {
        return { physicalId: event.PhysicalResourceId, outcome: `nothing deleted: ${(e as Error).message}` };
      }
      if (event.PhysicalResourceId !== icebergTablePhysicalId(r.databaseName, r.tableName))
        return {
          physicalId: event.PhysicalResourceId,
          outcome: "nothing deleted: no table was made for this resource",
        };
      const outcome = await tables.remove(r, r.removalPolicy);
      return { physicalId: event.PhysicalResourceId, outcome };
    }
    const r = parse(event.ResourceProperties);
    const result = await tables.ensure(r, r.input);
    const outcome = event.RequestType === "Create" && result.action !== "created" ? "adopted" : result.action;
    return {
      physicalId: icebergTablePhysicalId(r.databaseName, r.tableName),
      outcome,
      changes: result.changes,
      notes: result.notes,
    };
  };

  const base = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const failedId = event.RequestType === "Create" ? CREATE_FAILED_PHYSICAL_ID : event.PhysicalResourceId;
    const answer = (r: Omit<CfnResponse, "StackId" | "RequestId" | "LogicalResourceId">): CfnResponse => ({
      ...r,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out: no answer from Glue within ${context.getRemainingTimeInMillis()} ms`)),
        Math.max(0, context.getRemainingTimeInMillis() - marginMs),
      );
    });
    let response: CfnResponse;
    try {
      const done = await Promise.race([handle(event), deadline]);
      logger.info(`${event.RequestType} ${done.physicalId}: ${done.outcome}`, {
        changes: done.changes ?? [],
        notes: done.notes ?? [],
      });
      response = answer({
        Status: "SUCCESS",
        PhysicalResourceId: done.physicalId,
        Data: { Outcome: done.outcome, Changes: clip((done.changes ?? []).join("; "), CHANGES_DATA_CHARS) },
      });
    } catch (e) {
      const reason = (e as Error).message;
      logger.error(`${event.RequestType} ${event.LogicalResourceId} failed`, { reason });
      response = answer({ Status: "FAILED", Reason: reason, PhysicalResourceId: failedId });
    } finally {
      clearTimeout(timer);
    }
    try {
      await respond(event.ResponseURL, response);
    } catch (e) {
      // Nothing else can reach CloudFormation: log it for the operator; the stack times out.
      logger.error("could not answer CloudFormation", { reason: (e as Error).message });
    }
  };

  const handler = middy(base);
  if (options.tracer) handler.use(captureLambdaHandler(options.tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger, { resetKeys: true })) as unknown as IcebergTableHandler;
}
