/**
 * Which changes a deploy makes to a deployed Iceberg table, and which it refuses: the rules of
 * lambdas/functions/iceberg-table/evolution.ts, each against Iceberg's schema evolution
 * (https://iceberg.apache.org/spec/#schema-evolution).
 */
import type { IcebergTableMetadata } from "@aws-sdk/client-glue";
import type { IcebergTableInput } from "../../lambdas/contracts/tables/iceberg-resource.js";
import { planEvolution, RefusedChange } from "../../lambdas/functions/iceberg-table/evolution.js";
import { createIcebergTableInput } from "../../lambdas/functions/iceberg-table/tables.js";

const T = "sideline_dev.evolving";
const LOCATION = "s3://warehouse/evolving/";
type Field = IcebergTableInput["schema"]["fields"][number];
const f = (id: number, name: string, type: string, required = false): Field => ({
  id,
  name,
  type,
  required,
  doc: `${name}.`,
});

/** The definition: key a, partitioned by day of c, ordered by c. */
function definition(fields: Field[], over: Partial<IcebergTableInput> = {}): IcebergTableInput {
  return {
    location: LOCATION,
    schema: { schemaId: 0, type: "struct", fields, identifierFieldIds: [1, 3] },
    partitionSpec: { specId: 0, fields: [{ name: "c_day", sourceId: 3, transform: "day", fieldId: 1000 }] },
    writeOrder: {
      orderId: 1,
      fields: [{ sourceId: 3, transform: "identity", direction: "asc", nullOrder: "nulls-first" }],
    },
    properties: { "write.format.default": "parquet", "format-version": "2" },
    ...over,
  };
}
const BASE = [f(1, "a", "string", true), f(2, "b", "int", true), f(3, "c", "timestamp", true)];

/** The metadata Glue returns for a table created from `d` (and, optionally, earlier schemas). */
function deployed(d: IcebergTableInput, over: Partial<IcebergTableMetadata> = {}): IcebergTableMetadata {
  const c = createIcebergTableInput(d);
  return {
    FormatVersion: "2",
    Location: LOCATION,
    Properties: { "write.format.default": "parquet" },
    Schemas: [c.Schema],
    CurrentSchemaId: 0,
    LastColumnId: Math.max(...d.schema.fields.map((x) => x.id)),
    PartitionSpecs: [c.PartitionSpec],
    DefaultSpecId: 0,
    SortOrders: [c.WriteOrder],
    DefaultSortOrderId: 1,
    ...over,
  };
}
const TABLE = deployed(definition(BASE));

const refusal = (d: IcebergTableInput, m: IcebergTableMetadata = TABLE) => {
  try {
    planEvolution(T, m, d);
  } catch (e) {
    expect(e).toBeInstanceOf(RefusedChange);
    return (e as Error).message;
  }
  throw new Error("not refused");
};

describe("Iceberg schema evolution on deploy", () => {
  it("changes nothing when the table matches, reserved properties aside", () => {
    expect(planEvolution(T, TABLE, definition(BASE))).toEqual({ changes: [], notes: [] });
  });

  it("adds an optional column, renames by id, relaxes a required column and widens int to long, in one new schema", () => {
    // GIVEN b renamed to bee, made optional and widened; x added (id 4); a's doc changed
    const next = definition([
      { ...f(1, "a", "string", true), doc: "A, better said." },
      f(2, "bee", "long", false),
      f(3, "c", "timestamp", true),
      f(4, "x", "double"),
    ]);
    const plan = planEvolution(T, TABLE, next);
    expect(plan.changes).toEqual([
      "widen column 'bee' (id 2) from int to long",
      "make column 'bee' (id 2) optional",
      "rename column 'b' (id 2) to 'bee'",
      "add column 'x' (id 4), double",
    ]);
    expect(plan.update?.Schema).toEqual({
      SchemaId: 1,
      Type: "struct",
      Fields: [
        { Id: 1, Name: "a", Type: "string", Required: true, Doc: "A, better said." },
        { Id: 2, Name: "bee", Type: "long", Required: false, Doc: "bee." },
        { Id: 3, Name: "c", Type: "timestamp", Required: true, Doc: "c." },
        { Id: 4, Name: "x", Type: "double", Required: false, Doc: "x." },
      ],
      IdentifierFieldIds: [1, 3],
    });
    // the rest of the next state is the deployed one, the reserved format-version left out
    expect(plan.update).toMatchObject({
      PartitionSpec: TABLE.PartitionSpecs![0],
      SortOrder: TABLE.SortOrders![0],
      Location: LOCATION,
      Properties: { "write.format.default": "parquet" },
    });
  });

  it("does not narrow a widened column, tighten a relaxed one, or drop one no longer defined (a rollback)", () => {
    // GIVEN the table after a deploy that widened and relaxed b and added x
    const after = deployed(definition([BASE[0]!, f(2, "b", "long", false), BASE[2]!, f(4, "x", "double")]));
    // WHEN the previous definition comes back
    const plan = planEvolution(T, after, definition(BASE));
    // THEN nothing is sent, and each kept difference is noted
    expect(plan.update).toBeUndefined();
    expect(plan.notes).toEqual([
      "column 'b' (id 2) stays long: Iceberg never narrows a column back to int",
      "column 'b' (id 2) stays optional: rows may already hold nulls, so a column is never made required again",
      "column 'x' (id 4) is no longer defined: it stays in the table, its values readable, until dropped by hand (Athena: ALTER TABLE sideline_dev.evolving DROP COLUMN x)",
    ]);
  });

  it("refuses a type change that is not a promotion, and a new required column", () => {
    expect(refusal(definition([BASE[0]!, f(2, "b", "string", true), BASE[2]!, f(4, "y", "int", true)]))).toBe(
      [
        `table ${T} cannot be changed to its definition by a deploy:`,
        "- column 'b' (id 2): int to string is not a type change Iceberg allows (int to long, float to double, decimal to a wider precision); add a new column with a new id instead",
        "- column 'y' (id 4) is new and required: the rows already in the table have no value for it; define it with optCol (nullable)",
      ].join("\n"),
    );
  });

  it("refuses an id the table gave to a column since dropped, naming that column", () => {
    // GIVEN b (id 2) dropped by hand: schema 1 lacks it, the last column id is still 3
    const dropped = deployed(definition(BASE), {
      Schemas: [
        createIcebergTableInput(definition(BASE)).Schema,
        { ...createIcebergTableInput(definition([BASE[0]!, BASE[2]!])).Schema, SchemaId: 1 },
      ],
      CurrentSchemaId: 1,
    });
    // WHEN a new column takes id 2
    expect(refusal(definition([BASE[0]!, f(2, "z", "string"), BASE[2]!]), dropped)).toContain(
      "- column 'z' has id 2, which the table already gave to 'b' (its last-column-id is 3): an id is never reused, or data files written under it would be read as 'z'; give 'z' 4 in lambdas/contracts/tables/field-ids.json",
    );
  });

  it("refuses to leave a required column undefined, and two columns of one name", () => {
    expect(refusal(definition([BASE[0]!, BASE[2]!]))).toContain(
      "- column 'b' (id 2) is required in the table but no longer defined",
    );
    // a renames to b while the deployed b (id 2) stays, kept: two b's
    const relaxed = deployed(definition([BASE[0]!, f(2, "b", "int"), BASE[2]!]));
    expect(refusal(definition([f(1, "b", "string", true), BASE[2]!]), relaxed)).toContain(
      "- two columns would be named 'b' (ids 1 and 2): rename one, or drop the old one by hand first",
    );
  });

  it("refuses a new key, a new partition spec, a new location and a version 1 table", () => {
    const message = refusal(
      definition(BASE, {
        location: "s3://elsewhere/evolving/",
        schema: { schemaId: 0, type: "struct", fields: BASE, identifierFieldIds: [1] },
        partitionSpec: { specId: 0, fields: [{ name: "a", sourceId: 1, transform: "identity", fieldId: 1001 }] },
      }),
      { ...TABLE, FormatVersion: "1" },
    );
    expect(message.split("\n")).toEqual([
      `table ${T} cannot be changed to its definition by a deploy:`,
      "- the table is Iceberg format version 1: Sideline's writers upsert, which needs row-level deletes (version 2); upgrade it by hand (Athena: ALTER TABLE sideline_dev.evolving SET TBLPROPERTIES ('format-version'='2'))",
      "- the table's location is s3://warehouse/evolving/, the definition's s3://elsewhere/evolving/: data files are addressed by absolute path, so a deploy does not move a table; keep the location, or copy the table and register the copy by hand",
      "- the key (identifier field ids) is [1, 3] in the table and [1] in the definition: upserts on another key would not find the rows already written; a new key needs a new table",
      "- the partition spec is [c_day=day(3)#1000] in the table and [a=identity(1)#1001] in the definition: a deploy does not repartition, because an upsert's equality delete reaches only rows written under its own spec, and rows written before the change would stay duplicated; keep the partitioning, or create a new table",
    ]);
  });

  it("applies a new write order under a new order id, and new properties, keeping the others", () => {
    const m = { ...TABLE, Properties: { "write.format.default": "parquet", "write.target-file-size-bytes": "1" } };
    const plan = planEvolution(
      T,
      m,
      definition(BASE, {
        writeOrder: {
          orderId: 1,
          fields: [{ sourceId: 1, transform: "identity", direction: "desc", nullOrder: "nulls-last" }],
        },
        properties: { "write.format.default": "parquet", "write.parquet.compression-codec": "zstd" },
      }),
    );
    expect(plan.changes).toEqual([
      "set the write order to [identity(1) desc nulls-last]",
      "set property write.parquet.compression-codec=zstd",
    ]);
    expect(plan.update?.Schema).toBe(TABLE.Schemas![0]); // the schema as it is: no new schema id
    expect(plan.update?.SortOrder).toEqual({
      OrderId: 2,
      Fields: [{ SourceId: 1, Transform: "identity", Direction: "desc", NullOrder: "nulls-last" }],
    });
    expect(plan.update?.Properties).toEqual({
      "write.format.default": "parquet",
      "write.target-file-size-bytes": "1",
      "write.parquet.compression-codec": "zstd",
    });
  });
});
