/**
 * Table definitions (lambdas/contracts/tables/) -> Glue Iceberg table input. Pure functions (the
 * committed ledger below is read once), so that the exact shape is unit-tested: schema, identifier
 * fields (the key), partition spec (on key columns only) and write order. Only `openTableFormatInput` is produced: columns under
 * `tableInput.storageDescriptor` as well break the table on its first update (CloudFormation
 * coverage roadmap #1919).
 *
 * Field ids come from a ledger, lambdas/contracts/tables/field-ids.json, never from column order.
 * Iceberg reads a data file's columns by field id, not by name or position, and a schema change
 * keeps every existing field's id: a new field takes a new id, a renamed one keeps its id
 * (https://iceberg.apache.org/spec/#column-projection, #schema-evolution). Ids by position would
 * shift every later column when one is inserted mid-table, and data already written would be read
 * under the wrong columns. The ledger is the simplest record that survives edits of the definitions:
 * per table, each column's id, the columns dropped (their ids are never reused) and the highest id
 * ever assigned (Iceberg's own `last-column-id`): the next id is lastColumnId + 1, which is also the
 * id Iceberg gives a column added to the deployed table, when columns are added there in the
 * ledger's order. Partition field ids get the same
 * ledger: they were positional too (1000 + index), a v2 table needs them unique across all its
 * partition specs, and a manifest's partition tuple is read by them
 * (https://iceberg.apache.org/spec/#partitioning). The write order needs nothing of its own: it
 * names columns by their (ledger) ids, and the order of its fields is the sort's meaning.
 */
import { readFileSync } from "node:fs";
import type { IcebergTableInput } from "../lambdas/contracts/tables/iceberg-resource.js";
import { type AnyTable, type ColumnType, partitionField } from "../lambdas/contracts/tables/index.js";

export type { IcebergTableInput };

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

/** Where the ledger is, as an error message names it. */
export const FIELD_IDS_FILE = "lambdas/contracts/tables/field-ids.json";

/** A field that was removed from a table: its id stays taken. */
export interface DroppedField {
  readonly name: string;
  readonly id: number;
}

/** One table's entry in the ledger. Entries are only ever added to; ids never change. */
export interface TableFieldIds {
  /** The highest column id ever assigned (Iceberg's last-column-id): the next column takes lastColumnId + 1. */
  readonly lastColumnId: number;
  /** Each defined column's id, by name. */
  readonly columns: Readonly<Record<string, number>>;
  /** Columns removed from the definition, kept so that their ids are never reused. */
  readonly droppedColumns: readonly DroppedField[];
  /** The highest partition field id ever assigned (last-partition-id; 999 when there has been none). */
  readonly lastPartitionId: number;
  /** Each partition field's id, by its Iceberg name: the column, or column_transform (window_start_day). */
  readonly partitionFields: Readonly<Record<string, number>>;
  readonly droppedPartitionFields: readonly DroppedField[];
}

export type FieldIdLedger = Readonly<Record<string, TableFieldIds>>;

let ledger: FieldIdLedger | undefined;
/** The committed ledger, read once. */
export function fieldIdLedger(): FieldIdLedger {
  ledger ??= JSON.parse(readFileSync(new URL(`../${FIELD_IDS_FILE}`, import.meta.url), "utf8")) as FieldIdLedger;
  return ledger;
}

const partitionName = (transform: string, column: string) =>
  transform === "identity" ? column : `${column}_${transform}`;

/**
 * What is wrong between one table's definition and its ledger entry, each problem with what to
 * change; empty when the ids can be used. It catches a column or partition field without an id, a
 * pinned one no longer defined (dropped without being recorded), an id given twice (reused), an id
 * above the recorded highest, and an id missing below it (changed or deleted). What one file cannot
 * tell is an id that moved from one name to another: that is also what a rename looks like, so a
 * review of the ledger's diff is the check for it (and the test pins the ids deployed before the
 * ledger existed).
 */
export function fieldIdProblems(table: AnyTable, ids: TableFieldIds | undefined): string[] {
  const where = `${FIELD_IDS_FILE}, table ${table.name}`;
  const partitions = table.partitionBy.map(partitionField).map((p) => partitionName(p.transform, p.column));
  if (!ids) {
    return [
      `table ${table.name} has no field ids: add "${table.name}": ${JSON.stringify({
        lastColumnId: table.columns.length,
        columns: Object.fromEntries(table.columns.map((c, i) => [c.name, i + 1])),
        droppedColumns: [],
        lastPartitionId: PARTITION_FIELD_ID_BASE - 1 + partitions.length,
        partitionFields: Object.fromEntries(partitions.map((p, i) => [p, PARTITION_FIELD_ID_BASE + i])),
        droppedPartitionFields: [],
      })} to ${FIELD_IDS_FILE}`,
    ];
  }
  return [
    ...ledgerProblems(where, "column", "columns", "droppedColumns", "lastColumnId", 1, {
      defined: table.columns.map((c) => c.name),
      pinned: ids.columns,
      dropped: ids.droppedColumns,
      last: ids.lastColumnId,
    }),
    ...ledgerProblems(
      where,
      "partition field",
      "partitionFields",
      "droppedPartitionFields",
      "lastPartitionId",
      PARTITION_FIELD_ID_BASE,
      {
        defined: partitions,
        pinned: ids.partitionFields,
        dropped: ids.droppedPartitionFields,
        last: ids.lastPartitionId,
      },
    ),
  ];
}

function ledgerProblems(
  where: string,
  kind: string,
  live: string,
  droppedKey: string,
  lastKey: string,
  first: number,
  l: {
    defined: readonly string[];
    pinned: Readonly<Record<string, number>>;
    dropped: readonly DroppedField[];
    last: number;
  },
): string[] {
  const problems: string[] = [];
  let next = l.last;
  for (const name of l.defined) {
    if (l.pinned[name] === undefined) {
      next += 1;
      problems.push(
        `${where}: ${kind} '${name}' has no id: add "${name}": ${next} to ${live} and set ${lastKey} to ${next} (the next id after the highest ever assigned; ids follow the order columns are added, not their place in the definition)`,
      );
    }
  }
  for (const [name, id] of Object.entries(l.pinned)) {
    if (!l.defined.includes(name)) {
      problems.push(
        `${where}: ${kind} '${name}' (id ${id}) is no longer defined: if it was removed, move it to ${droppedKey} as {"name": "${name}", "id": ${id}} so that its id is never reused; if it was renamed, rename it in ${live} and keep its id`,
      );
    }
  }
  const owners = new Map<number, string[]>();
  for (const [name, id] of [
    ...Object.entries(l.pinned),
    ...l.dropped.map((d) => [`${d.name} (dropped)`, d.id] as const),
  ]) {
    owners.set(id, [...(owners.get(id) ?? []), name]);
  }
  for (const [id, names] of owners) {
    if (names.length > 1) {
      problems.push(
        `${where}: ${kind} id ${id} is given to ${names.map((n) => `'${n}'`).join(" and ")}: an id is never reused, even after its ${kind} is dropped; give the newer one ${l.last + 1} and set ${lastKey} to ${l.last + 1}`,
      );
    }
    if (id > l.last || id < first) {
      problems.push(
        `${where}: ${kind} '${names[0]}' has id ${id}, outside ${first}..${lastKey} (${l.last}): a new ${kind} takes ${lastKey} + 1 and raises ${lastKey} to it`,
      );
    }
  }
  for (let id = first; id <= l.last; id++) {
    if (!owners.has(id)) {
      problems.push(
        `${where}: ${kind} id ${id} is in neither ${live} nor ${droppedKey}: a pinned id was changed or deleted; give it back to its ${kind} (ids never change, and a dropped ${kind} stays in ${droppedKey})`,
      );
    }
  }
  return problems;
}

/**
 * The Glue Iceberg table input of one table, its field ids from the ledger.
 * @param ledger the field ids of every table. @default the committed ledger, field-ids.json
 */
export function icebergTableInput(
  table: AnyTable,
  location: string,
  ledger: FieldIdLedger = fieldIdLedger(),
): IcebergTableInput {
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
  const pinned = ledger[table.name];
  const problems = fieldIdProblems(table, pinned);
  if (problems.length > 0 || !pinned) throw new Error(problems.join("\n"));
  const fields = table.columns.map((c) => ({
    id: pinned.columns[c.name]!,
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
  return {
    location,
    schema: { schemaId: 0, type: "struct", fields, identifierFieldIds: table.key.map(idOf) },
    partitionSpec: {
      specId: 0,
      fields: partitions.map(({ transform, column }) => ({
        name: partitionName(transform, column),
        sourceId: idOf(column),
        transform,
        fieldId: pinned.partitionFields[partitionName(transform, column)]!,
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
