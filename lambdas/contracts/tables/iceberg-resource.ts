/**
 * The contract between the CDK app and the function that owns the lake's Iceberg tables: one
 * CloudFormation custom resource per table, whose properties carry the table as lib/iceberg.ts
 * generates it from the definitions and the pinned field ids. The construct
 * (lib/constructs/iceberg-table.ts) writes these properties; the function
 * (lambdas/functions/iceberg-table/) reads them.
 */
import "../zod-locale.js";
import * as z from "zod/mini";

/** The custom resource type of one Iceberg table (CloudFormation's `Custom::` prefix, any name after it). */
export const ICEBERG_TABLE_RESOURCE_TYPE = "Custom::IcebergTable";

/** One Iceberg table in Glue's terms (camelCase here; the function sends it as Glue's PascalCase shapes). */
export interface IcebergTableInput {
  readonly location: string;
  readonly schema: {
    readonly schemaId: number;
    readonly type: "struct";
    readonly fields: { id: number; name: string; type: string; required: boolean; doc: string }[];
    readonly identifierFieldIds: number[];
  };
  readonly partitionSpec: {
    specId: number;
    fields: { name: string; sourceId: number; transform: string; fieldId: number }[];
  };
  readonly writeOrder: {
    orderId: number;
    fields: { sourceId: number; transform: string; direction: string; nullOrder: string }[];
  };
  readonly properties: Record<string, string>;
}

/** The table without its location: what the `Definition` property carries, as JSON. */
export type IcebergTableDefinition = Omit<IcebergTableInput, "location">;

/**
 * What happens to the Glue table when its resource is deleted (the stack, or the table's entry):
 * retain leaves it in the catalog; destroy deletes the catalog entry. Neither touches the table's
 * files in S3: Glue DeleteTable removes the catalog entry only.
 */
export const TABLE_REMOVAL_POLICIES = ["retain", "destroy"] as const;
export type TableRemovalPolicy = (typeof TABLE_REMOVAL_POLICIES)[number];

/**
 * The resource's properties. CloudFormation hands a custom resource's property values to its
 * function as strings, numbers and booleans included
 * (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1037), so the
 * definition travels as one JSON string and is parsed back whole, with its ids as numbers.
 */
export interface IcebergTableResourceProperties {
  /** The Glue Data Catalog: the account id. */
  readonly CatalogId: string;
  readonly DatabaseName: string;
  readonly TableName: string;
  /** The table's base location, `s3://bucket/prefix/`: its data and metadata files go under it. */
  readonly Location: string;
  /** JSON of IcebergTableDefinition: schema, partition spec, write order and properties, with the pinned ids. */
  readonly Definition: string;
  readonly RemovalPolicy: TableRemovalPolicy;
}

/** A resource's properties, checked and parsed: the table it names, its input, and its removal policy. */
export interface IcebergTableRequest {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly input: IcebergTableInput;
  readonly removalPolicy: TableRemovalPolicy;
}

/** The properties that carry a table: what the construct writes and parseIcebergTableProperties reads back. */
export function icebergTableResourceProperties(r: IcebergTableRequest): IcebergTableResourceProperties {
  const { location, ...definition } = r.input;
  return {
    CatalogId: r.catalogId,
    DatabaseName: r.databaseName,
    TableName: r.tableName,
    Location: location,
    Definition: JSON.stringify(definition satisfies IcebergTableDefinition),
    RemovalPolicy: r.removalPolicy,
  };
}

/** The resource's physical id: stable for as long as the table keeps its database and name. */
export const icebergTablePhysicalId = (databaseName: string, tableName: string): string =>
  `${databaseName}.${tableName}`;

const int = z.int();
const definitionSchema = z.object({
  schema: z.object({
    schemaId: int,
    type: z.literal("struct"),
    fields: z.array(z.object({ id: int, name: z.string(), type: z.string(), required: z.boolean(), doc: z.string() })),
    identifierFieldIds: z.array(int),
  }),
  partitionSpec: z.object({
    specId: int,
    fields: z.array(z.object({ name: z.string(), sourceId: int, transform: z.string(), fieldId: int })),
  }),
  writeOrder: z.object({
    orderId: int,
    fields: z.array(
      z.object({
        sourceId: int,
        transform: z.string(),
        direction: z.enum(["asc", "desc"]),
        nullOrder: z.enum(["nulls-first", "nulls-last"]),
      }),
    ),
  }),
  properties: z.record(z.string(), z.string()),
});

const nonEmpty = z.string().check(z.minLength(1, "is empty"));
const propertiesSchema = z.object({
  CatalogId: nonEmpty,
  DatabaseName: nonEmpty,
  TableName: nonEmpty,
  Location: z.string().check(z.regex(/^s3:\/\/[^/]+\//, "must be s3://bucket/prefix/")),
  Definition: nonEmpty,
  RemovalPolicy: z.enum(TABLE_REMOVAL_POLICIES),
});

/** Parses a resource's properties, or throws naming each property that is missing or wrong. */
export function parseIcebergTableProperties(raw: unknown): IcebergTableRequest {
  const where = (r: { error: { issues: readonly { path: PropertyKey[]; message: string }[] } }) =>
    r.error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ");
  const p = propertiesSchema.safeParse(raw);
  if (!p.success) throw new Error(`invalid ${ICEBERG_TABLE_RESOURCE_TYPE} properties: ${where(p)}`);
  let json: unknown;
  try {
    json = JSON.parse(p.data.Definition);
  } catch (e) {
    throw new Error(
      `invalid ${ICEBERG_TABLE_RESOURCE_TYPE} properties: Definition is not JSON (${(e as Error).message})`,
    );
  }
  const d = definitionSchema.safeParse(json);
  if (!d.success) throw new Error(`invalid ${ICEBERG_TABLE_RESOURCE_TYPE} properties: Definition.${where(d)}`);
  return {
    catalogId: p.data.CatalogId,
    databaseName: p.data.DatabaseName,
    tableName: p.data.TableName,
    input: { location: p.data.Location, ...d.data },
    removalPolicy: p.data.RemovalPolicy,
  };
}
