/**
 * Table definitions (lambdas/contracts/tables/) -> Glue Iceberg table input. Pure functions, so
 * that the exact shape is unit-tested: schema, identifier fields (the key), partition spec (on key
 * columns only) and write order. Only `openTableFormatInput` is produced: columns under
 * `tableInput.storageDescriptor` as well break the table on its first update (CloudFormation
 * coverage roadmap #1919).
 */
import { type AnyTable, type ColumnType, partitionField } from "../lambdas/contracts/tables/index.js";

const ICEBERG_TYPES: Record<ColumnType, string> = {
  string: "string",
  int: "int",
  bigint: "long",
  double: "double",
  boolean: "boolean",
  timestamp: "timestamp",
  json: "string",
};

/** Partition field ids start at 1000, as the Iceberg spec's reference implementations assign them. */
const PARTITION_FIELD_ID_BASE = 1000;

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

export function icebergTableInput(table: AnyTable, location: string): IcebergTableInput {
  const fields = table.columns.map((c, i) => ({
    id: i + 1,
    name: c.name,
    type: ICEBERG_TYPES[c.type],
    required: !c.nullable,
    doc: c.doc,
  }));
  const idOf = (name: string) => {
    const f = fields.find((x) => x.name === name);
    if (!f) throw new Error(`table ${table.name}: '${name}' is not a column`);
    return f.id;
  };
  const partitions = table.partitionBy.map((p) => ({ field: p, ...partitionField(p) }));
  for (const p of partitions) {
    // Firehose updates rows by the unique keys (the table key). A streaming writer that does not know
    // where the old row lies deletes it by key, with an equality delete, and an equality delete applies
    // only to data files of its own partition (https://iceberg.apache.org/spec/#scan-planning). So the
    // partition columns must be in the key, as Flink's upserts also require
    // (https://docs.cloudera.com/runtime/7.3.1/iceberg-how-to/topics/iceberg-delete.html).
    if (!(table.key as readonly string[]).includes(p.column)) {
      throw new Error(
        `table ${table.name}: partition field '${p.field}' is on ${p.column}, which is not in the key (${table.key.join(", ")}); an upsert's equality delete reaches only its own partition, so a redelivered row would stay duplicated: partition on a key column or day() of a key timestamp, or leave the table unpartitioned`,
      );
    }
  }
  return {
    location,
    schema: { schemaId: 0, type: "struct", fields, identifierFieldIds: table.key.map(idOf) },
    partitionSpec: {
      specId: 0,
      fields: partitions.map(({ transform, column }, i) => ({
        name: transform === "identity" ? column : `${column}_${transform}`,
        sourceId: idOf(column),
        transform,
        fieldId: PARTITION_FIELD_ID_BASE + i,
      })),
    },
    writeOrder: {
      orderId: 1,
      fields: table.sortBy.map((c) => ({
        sourceId: idOf(c),
        transform: "identity",
        direction: "asc",
        nullOrder: "nulls-first",
      })),
    },
    properties: {
      "write.format.default": "parquet",
      "write.parquet.compression-codec": "zstd",
      "format-version": "2",
    },
  };
}
