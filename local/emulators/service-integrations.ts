/**
 * The AWS services the workflows' Task states call, as the embedded runtime emulates them, keyed by
 * the state's Resource:
 * - lambda:invoke                   -> the same handler the Lambda runs, in process
 * - athena:startQueryExecution.sync -> the same SQL, with the same parameters, on DuckDB
 * - athena:getQueryResults          -> that result, in Athena's ResultSet shape (strings, header row first)
 * - events:putEvents                -> the local bus
 * - sns:publish                     -> the notifications table, one message per execution and state
 * Errors carry the names Step Functions would give them, so the definitions' Retry and Catch apply.
 */
import { createHash, randomUUID } from "node:crypto";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { NOTIFICATIONS } from "../../lambdas/contracts/tables/index.js";
import type { LocalEventBus } from "./bus.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An error as Step Functions names it (States.Timeout, Lambda.ServiceException...). */
export const statesError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Athena execution parameters are SQL literals: 'text' (quotes doubled inside) or numbers. */
export function athenaLiteral(p: string): string | number {
  const m = /^'((?:[^']|'')*)'$/.exec(p);
  if (m) return m[1]!.replace(/''/g, "'");
  const n = Number(p);
  if (p.trim() !== "" && Number.isFinite(n)) return n;
  throw new Error(`execution parameter ${p} is not a SQL literal ('text' or a number)`);
}

/** RFC 9562's URL namespace, the namespace of the name-based message ids below. */
const URL_NAMESPACE = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex");

/** A name-based UUID (RFC 9562 version 5): the same name always gives the same id. */
function nameBasedUuid(name: string): string {
  const h = createHash("sha1").update(URL_NAMESPACE).update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const athenaString = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : typeof v === "object" ? JSON.stringify(v) : String(v);

export interface LocalServicesOptions {
  readonly lake: DuckDbLake;
  readonly bus: LocalEventBus;
  /** Lambda functions by ARN. */
  readonly lambdas: Readonly<Record<string, (payload: unknown) => Promise<unknown>>>;
  readonly now: () => Date;
}

export class LocalServices {
  private readonly queries = new Map<string, { columns: readonly string[]; rows: readonly (readonly unknown[])[] }>();

  constructor(private readonly o: LocalServicesOptions) {}

  /** The local stand-in for a Task state's Resource, for one state of one execution. */
  handler(resource: string, stateName: string, executionName: string): (input: Json) => Promise<Json> {
    switch (resource) {
      case "arn:aws:states:::lambda:invoke":
        return (p) => this.invoke(p);
      case "arn:aws:states:::athena:startQueryExecution.sync":
        return (p) => this.startQuery(p);
      case "arn:aws:states:::athena:getQueryResults":
        return async (p) => this.queryResults(p);
      case "arn:aws:states:::events:putEvents":
        return async (p) => ({ Entries: await this.putEvents(p), FailedEntryCount: 0 });
      case "arn:aws:states:::sns:publish":
        return (p) => this.publish(p, nameBasedUuid(`sideline:sns:${executionName}/${stateName}`));
      default:
        throw new Error(`state ${stateName} uses ${resource}, which the local runtime does not emulate`);
    }
  }

  private async invoke(p: Json): Promise<Json> {
    const { FunctionName, Payload } = p as { FunctionName: string; Payload: unknown };
    const fn = this.o.lambdas[FunctionName];
    if (!fn) throw statesError("Lambda.ResourceNotFoundException", `no local function ${FunctionName}`);
    try {
      return { Payload: (await fn(Payload)) as Json, StatusCode: 200, ExecutedVersion: "$LATEST" };
    } catch (e) {
      // A function error reaches Step Functions as its error type (the name) and message.
      const err = e as Error;
      throw statesError(err.name || "Error", err.message);
    }
  }

  private async startQuery(p: Json): Promise<Json> {
    const { QueryString, ExecutionParameters } = p as { QueryString: string; ExecutionParameters?: string[] };
    const id = randomUUID();
    try {
      this.queries.set(id, await this.o.lake.query(QueryString, (ExecutionParameters ?? []).map(athenaLiteral)));
    } catch (e) {
      throw statesError("Athena.InvalidRequestException", (e as Error).message);
    }
    return { QueryExecution: { QueryExecutionId: id, Query: QueryString, Status: { State: "SUCCEEDED" } } };
  }

  private queryResults(p: Json): Json {
    const { QueryExecutionId, MaxResults } = p as { QueryExecutionId: string; MaxResults?: number };
    const r = this.queries.get(QueryExecutionId);
    if (!r) throw statesError("Athena.InvalidRequestException", `unknown QueryExecutionId ${QueryExecutionId}`);
    const rows = [r.columns, ...r.rows].slice(0, MaxResults ?? 1000);
    return {
      ResultSet: {
        Rows: rows.map((row) => ({ Data: row.map((v) => ({ VarCharValue: athenaString(v) }) as Json) })),
        ResultSetMetadata: { ColumnInfo: r.columns.map((c) => ({ Name: c, Label: c })) },
      },
    } as Json;
  }

  /** PutEvents entries onto the local bus; returns their event ids. */
  async putEvents(p: Json): Promise<Json[]> {
    const { Entries } = p as { Entries: { Source: string; DetailType: string; Detail: unknown }[] };
    const ids: Json[] = [];
    for (const e of Entries) {
      const id = randomUUID();
      const detail = typeof e.Detail === "string" ? JSON.parse(e.Detail) : e.Detail;
      await this.o.bus.publish([{ id, source: e.Source, detailType: e.DetailType, time: this.o.now(), detail }]);
      ids.push({ EventId: id });
    }
    return ids;
  }

  /**
   * The message id comes from the execution and the state, so an execution restarted after a crash
   * (LocalWorkflows.recoverAbandoned) rewrites its message instead of sending a second one, as an
   * SNS FIFO topic drops a message whose deduplication id it has seen. Each definition publishes
   * from a state at most once per execution (no loops), so no two messages share an id.
   */
  private async publish(p: Json, id: string): Promise<Json> {
    const { TopicArn, Subject, Message } = p as { TopicArn: string; Subject?: string; Message: string };
    await this.o.lake.put(NOTIFICATIONS, [
      {
        message_id: id,
        topic: TopicArn.split(":")
          .pop()!
          .replace(/^sideline-/, ""),
        subject: Subject ?? "",
        message: Message,
        sent_at: this.o.now(),
      },
    ]);
    return { MessageId: id };
  }
}
