/**
 * The iceberg-table handler with the real Glue client against a stand-in Glue on 127.0.0.1
 * (test/helpers/glue-stub.ts), answering CloudFormation by a real HTTP PUT to the ResponseURL:
 * create, adopt, evolve with the pinned ids, refuse, delete or retain, and answer FAILED with the
 * reason whenever it cannot.
 */
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import {
  type IcebergTableInput,
  icebergTableResourceProperties,
  type TableRemovalPolicy,
} from "../../lambdas/contracts/tables/iceberg-resource.js";
import { col, defineTable, optCol } from "../../lambdas/contracts/tables/index.js";
import { MAX_RESPONSE_BYTES, responseBody, sendResponse } from "../../lambdas/functions/iceberg-table/cfn-response.js";
import { CREATE_FAILED_PHYSICAL_ID, createIcebergTableHandler } from "../../lambdas/functions/iceberg-table/handler.js";
import { createIcebergTableInput } from "../../lambdas/functions/iceberg-table/tables.js";
import { icebergTableInput, type TableFieldIds } from "../../lib/iceberg.js";
import { EVOLVING_V1, EVOLVING_V1_IDS } from "../helpers/evolving-table.js";
import { lambdaContext } from "../helpers/factories.js";
import { GlueStub } from "../helpers/glue-stub.js";

const DB = "sideline_dev";
const LOCATION = "s3://warehouse-bucket/evolving/";

/** A table as first deployed: a, b, c, partitioned by day of c, written in order of c. */
const V1 = EVOLVING_V1;
const V1_IDS = EVOLVING_V1_IDS;
/** The same table with x inserted between a and b: optional, the next id (4). */
const V2 = defineTable({
  ...V1,
  columns: [
    col("a", "string", "The key."),
    optCol("x", "double", "X, new."),
    col("b", "int", "B."),
    col("c", "timestamp", "C, in the key."),
  ],
});
const V2_IDS: TableFieldIds = { ...V1_IDS, lastColumnId: 4, columns: { ...V1_IDS.columns, x: 4 } };

const v1 = icebergTableInput(V1, LOCATION, { evolving: V1_IDS });
const v2 = icebergTableInput(V2, LOCATION, { evolving: V2_IDS });
/** V1 with b made a string: not a promotion Iceberg allows. */
const retyped: IcebergTableInput = {
  ...v1,
  schema: { ...v1.schema, fields: v1.schema.fields.map((f) => (f.name === "b" ? { ...f, type: "string" } : f)) },
};

let counter = 0;
/** A CloudFormation request for the table, as CloudFormation sends it: properties as strings. */
function event(
  stub: GlueStub,
  type: "Create" | "Update" | "Delete",
  input: IcebergTableInput,
  options: { removal?: TableRemovalPolicy; physicalId?: string; database?: string; old?: IcebergTableInput } = {},
): CloudFormationCustomResourceEvent {
  const name = `r${++counter}`;
  const properties = (i: IcebergTableInput) => ({
    ServiceToken: "arn:aws:lambda:eu-west-1:111122223333:function:tables",
    ...icebergTableResourceProperties({
      catalogId: "111122223333",
      databaseName: options.database ?? DB,
      tableName: "evolving",
      input: i,
      removalPolicy: options.removal ?? "retain",
    }),
  });
  const common = {
    ServiceToken: "arn:aws:lambda:eu-west-1:111122223333:function:tables",
    ResponseURL: stub.responseUrl(name),
    StackId: "arn:aws:cloudformation:eu-west-1:111122223333:stack/sideline-lakehouse-dev/1",
    RequestId: name,
    LogicalResourceId: "CatalogevolvingTable",
    ResourceType: "Custom::IcebergTable",
    ResourceProperties: properties(input),
  };
  if (type === "Create") return { ...common, RequestType: "Create" };
  const PhysicalResourceId = options.physicalId ?? `${DB}.evolving`;
  if (type === "Update")
    return {
      ...common,
      RequestType: "Update",
      PhysicalResourceId,
      OldResourceProperties: properties(options.old ?? v1),
    };
  return { ...common, RequestType: "Delete", PhysicalResourceId };
}

describe("iceberg-table handler (the real Glue client, a stand-in Glue, CloudFormation answered over HTTP)", () => {
  const stub = new GlueStub();
  let handler: ReturnType<typeof createIcebergTableHandler>;

  beforeAll(async () => {
    await stub.start();
    handler = createIcebergTableHandler({ glue: stub.client(), databaseName: DB });
  });
  afterAll(() => stub.stop());
  beforeEach(() => {
    stub.clear();
    stub.options.renumberOnCreate = false;
    stub.options.getTableDelayMs = 0;
  });

  /** Runs one request and returns what CloudFormation received at its ResponseURL. */
  async function run(e: CloudFormationCustomResourceEvent, context = lambdaContext) {
    await handler(e, context);
    const got = stub.responses.get(e.RequestId) ?? [];
    expect(got).toHaveLength(1);
    return got[0] as { Status: string; Reason?: string; PhysicalResourceId: string; Data?: Record<string, string> };
  }
  const operations = () => stub.calls.map((c) => c.operation);

  it("creates the table with Glue's Iceberg input, the pinned ids and the table's name at the top level", async () => {
    // GIVEN no table, WHEN CloudFormation creates the resource
    const res = await run(event(stub, "Create", v1));
    // THEN Glue was asked for an Iceberg v2 table with exactly the generated schema, spec and order
    expect(operations()).toEqual(["GetTable", "CreateTable", "GetTable"]);
    const create = stub.calls[1]!.body;
    expect(create.TableInput).toBeUndefined();
    expect(create).toEqual({
      CatalogId: "111122223333",
      DatabaseName: DB,
      Name: "evolving",
      OpenTableFormatInput: {
        IcebergInput: {
          MetadataOperation: "CREATE",
          Version: "2",
          CreateIcebergTableInput: {
            Location: LOCATION,
            Schema: {
              SchemaId: 0,
              Type: "struct",
              Fields: [
                { Id: 1, Name: "a", Type: "string", Required: true, Doc: "The key." },
                { Id: 2, Name: "b", Type: "int", Required: true, Doc: "B." },
                { Id: 3, Name: "c", Type: "timestamp", Required: true, Doc: "C, in the key." },
              ],
              IdentifierFieldIds: [1, 3],
            },
            PartitionSpec: { SpecId: 0, Fields: [{ Name: "c_day", SourceId: 3, Transform: "day", FieldId: 1000 }] },
            WriteOrder: {
              OrderId: 1,
              Fields: [{ SourceId: 3, Transform: "identity", Direction: "asc", NullOrder: "nulls-first" }],
            },
            Properties: v1.properties,
          },
        },
      },
    });
    // AND CloudFormation was told SUCCESS, with the stable physical id
    expect(res).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `${DB}.evolving`,
      Data: { Outcome: "created" },
    });
    expect(stub.table(DB, "evolving")?.parameters.table_type).toBe("ICEBERG");
  });

  it("evolves the table on an additive update: the new optional column with its pinned id, the others' ids kept", async () => {
    // GIVEN the table as created above, WHEN x is inserted mid-definition with the next id
    const res = await run(event(stub, "Update", v2, { old: v1 }));
    // THEN one UpdateTable carried the table's whole next state, by name, without a TableInput
    expect(operations()).toEqual(["GetTable", "UpdateTable", "GetTable"]);
    const update = stub.calls[1]!.body;
    expect(update.TableInput).toBeUndefined();
    expect(update.Name).toBe("evolving");
    const [next] = (
      update.UpdateOpenTableFormatInput as {
        UpdateIcebergInput: { UpdateIcebergTableInput: { Updates: Record<string, unknown>[] } };
      }
    ).UpdateIcebergInput.UpdateIcebergTableInput.Updates;
    expect(next).toEqual({
      Schema: {
        SchemaId: 1,
        Type: "struct",
        Fields: [
          { Id: 1, Name: "a", Type: "string", Required: true, Doc: "The key." },
          { Id: 4, Name: "x", Type: "double", Required: false, Doc: "X, new." },
          { Id: 2, Name: "b", Type: "int", Required: true, Doc: "B." },
          { Id: 3, Name: "c", Type: "timestamp", Required: true, Doc: "C, in the key." },
        ],
        IdentifierFieldIds: [1, 3],
      },
      // the partition spec and write order as deployed: a deploy does not repartition
      PartitionSpec: { SpecId: 0, Fields: [{ Name: "c_day", SourceId: 3, Transform: "day", FieldId: 1000 }] },
      SortOrder: {
        OrderId: 1,
        Fields: [{ SourceId: 3, Transform: "identity", Direction: "asc", NullOrder: "nulls-first" }],
      },
      Location: LOCATION,
      Properties: { "write.format.default": "parquet", "write.parquet.compression-codec": "zstd" },
    });
    expect(res).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `${DB}.evolving`,
      Data: { Outcome: "updated", Changes: "add column 'x' (id 4), double" },
    });
    // AND the same request again changes nothing: no UpdateTable, no new metadata file
    stub.clear();
    expect(await run(event(stub, "Update", v2, { old: v1 }))).toMatchObject({ Data: { Outcome: "unchanged" } });
    expect(operations()).toEqual(["GetTable"]);
  });

  it("keeps a column the previous definition lacks when CloudFormation rolls back: no drop, no failure", async () => {
    // GIVEN x added by the update above, WHEN a rollback sends V1 again
    const res = await run(event(stub, "Update", v1, { old: v2 }));
    // THEN the table keeps x (optional) and the rollback succeeds
    expect(res).toMatchObject({ Status: "SUCCESS", Data: { Outcome: "unchanged" } });
    expect(operations()).toEqual(["GetTable"]);
  });

  it("refuses a type change that is not a promotion, failing the deployment with the table and the column", async () => {
    const res = await run(event(stub, "Update", retyped, { old: v2 }));
    expect(res.Status).toBe("FAILED");
    expect(res.Reason).toBe(
      `table ${DB}.evolving cannot be changed to its definition by a deploy:\n- column 'b' (id 2): int to string is not a type change Iceberg allows (int to long, float to double, decimal to a wider precision); add a new column with a new id instead`,
    );
    // the physical id stays: CloudFormation keeps the resource as it was
    expect(res.PhysicalResourceId).toBe(`${DB}.evolving`);
    expect(operations()).toEqual(["GetTable"]);
  });

  it("adopts a table that exists on Create (retained from an earlier stack) and evolves it", async () => {
    // GIVEN a V1 table already there (its resource deleted with retain, the stack created again with V2)
    const created = createIcebergTableInput(v1);
    stub.seed(
      DB,
      "adopted",
      { table_type: "ICEBERG", metadata_location: `${LOCATION}metadata/00000.metadata.json` },
      {
        FormatVersion: "2",
        Location: LOCATION,
        Properties: { "write.format.default": "parquet", "write.parquet.compression-codec": "zstd" },
        Schemas: [created.Schema],
        CurrentSchemaId: 0,
        LastColumnId: 3,
        PartitionSpecs: [created.PartitionSpec],
        DefaultSpecId: 0,
        SortOrders: [created.WriteOrder],
        DefaultSortOrderId: 1,
      },
    );
    const e = event(stub, "Create", v2);
    (e.ResourceProperties as Record<string, string>).TableName = "adopted";
    const res = await run(e);
    // THEN the table is not created again but evolved: x added with its pinned id
    expect(operations()).toEqual(["GetTable", "UpdateTable", "GetTable"]);
    expect(res).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `${DB}.adopted`,
      Data: { Outcome: "adopted", Changes: "add column 'x' (id 4), double" },
    });
  });

  it("refuses to adopt a catalog entry that is not an Iceberg table, with a Create-failed marker as physical id", async () => {
    // GIVEN a table whose table_type an AWS::Glue::Table update stripped
    stub.seed(DB, "stripped", {});
    const e = event(stub, "Create", v1, { removal: "destroy" });
    (e.ResourceProperties as Record<string, string>).TableName = "stripped";
    const res = await run(e);
    expect(res.Status).toBe("FAILED");
    expect(res.Reason).toMatch(
      /^table sideline_dev\.stripped exists but is not an Iceberg table \(table_type is not set;/,
    );
    expect(res.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID);
    // WHEN the rollback deletes the resource it was told of, THEN the table that was there stays
    stub.clear();
    const del = event(stub, "Delete", v1, { removal: "destroy", physicalId: CREATE_FAILED_PHYSICAL_ID });
    (del.ResourceProperties as Record<string, string>).TableName = "stripped";
    expect(await run(del)).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    expect(operations()).toEqual([]);
    expect(stub.table(DB, "stripped")).toBeDefined();
  });

  it("fails a create whose table Glue did not make with the pinned ids, and deletes that empty table again", async () => {
    // GIVEN a catalog that numbers columns by position, and a definition whose ids are not positions
    stub.options.renumberOnCreate = true;
    const e = event(stub, "Create", v2);
    (e.ResourceProperties as Record<string, string>).TableName = "renumbered";
    const res = await run(e);
    expect(res.Status).toBe("FAILED");
    expect(res.Reason).toContain(`Glue created table ${DB}.renumbered, but it does not match its definition`);
    expect(res.Reason).toMatch(/it was deleted again$/);
    expect(operations()).toEqual(["GetTable", "CreateTable", "GetTable", "DeleteTable"]);
    expect(stub.table(DB, "renumbered")).toBeUndefined();
  });

  it("retains the table on Delete by default, and deletes the catalog entry only when told destroy", async () => {
    expect(await run(event(stub, "Delete", v2))).toMatchObject({ Status: "SUCCESS", Data: { Outcome: "retained" } });
    expect(operations()).toEqual([]);
    expect(stub.table(DB, "evolving")).toBeDefined();
    expect(await run(event(stub, "Delete", v2, { removal: "destroy" }))).toMatchObject({
      Status: "SUCCESS",
      Data: { Outcome: "deleted" },
    });
    expect(operations()).toEqual(["DeleteTable"]);
    expect(stub.table(DB, "evolving")).toBeUndefined();
    // and again: nothing left to delete is no failure
    expect(await run(event(stub, "Delete", v2, { removal: "destroy" }))).toMatchObject({ Data: { Outcome: "absent" } });
  });

  it("refuses a table of another database, and answers FAILED before its timeout when Glue does not answer", async () => {
    const other = await run(event(stub, "Create", v1, { database: "sideline_prod" }));
    expect(other).toMatchObject({
      Status: "FAILED",
      Reason: "table sideline_prod.evolving: this function owns the tables of sideline_dev only",
    });
    // GIVEN a GetTable that takes longer than the time left less the margin
    stub.options.getTableDelayMs = 500;
    const hurried = createIcebergTableHandler({ glue: stub.client(), databaseName: DB, responseMarginMs: 10_000 });
    const e = event(stub, "Create", v1);
    await hurried(e, { ...lambdaContext, getRemainingTimeInMillis: () => 10_050 });
    expect(stub.responses.get(e.RequestId)).toEqual([
      expect.objectContaining({ Status: "FAILED", Reason: expect.stringMatching(/^timed out: no answer from Glue/) }),
    ]);
  });

  it("retries a refused response PUT, and keeps a long reason within CloudFormation's 4,096 bytes", async () => {
    const response = {
      Status: "FAILED" as const,
      Reason: `table ${DB}.evolving cannot be changed:\n${"- column 'é' (id 9): no\n".repeat(400)}`,
      PhysicalResourceId: `${DB}.evolving`,
      StackId: "stack",
      RequestId: "retried",
      LogicalResourceId: "Table",
    };
    // GIVEN a ResponseURL that refuses the first two PUTs
    stub.failResponses = 2;
    await sendResponse(stub.responseUrl("retried"), response, 10);
    // THEN the third arrives, whole but for the reason's tail
    const [got] = stub.responses.get("retried") as { Reason: string }[];
    expect(Buffer.byteLength(responseBody(response))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(got!.Reason.startsWith(`table ${DB}.evolving cannot be changed:`)).toBe(true);
    expect(got!.Reason.endsWith(" [...]")).toBe(true);
    // AND a URL that never accepts is reported after the attempts, not left hanging
    stub.failResponses = 3;
    await expect(sendResponse(stub.responseUrl("refused"), response, 10)).rejects.toThrow(
      "the response to CloudFormation was not delivered after 3 attempts: HTTP 500",
    );
  });
});
