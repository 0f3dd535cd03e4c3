/** A small table whose definition changes, and its first field-id ledger entry: the schema-evolution tests' fixture. */
import { col, defineTable } from "../../lambdas/contracts/tables/index.js";
import type { TableFieldIds } from "../../lib/iceberg.js";

export const EVOLVING_V1 = defineTable({
  name: "evolving",
  classification: "performance",
  scope: "lake",
  doc: "A table whose definition changes.",
  columns: [col("a", "string", "The key."), col("b", "int", "B."), col("c", "timestamp", "C, in the key.")],
  key: ["a", "c"],
  partitionBy: ["day(c)"],
  sortBy: ["c"],
});

export const EVOLVING_V1_IDS: TableFieldIds = {
  lastColumnId: 3,
  columns: { a: 1, b: 2, c: 3 },
  droppedColumns: [],
  lastPartitionId: 1000,
  partitionFields: { c_day: 1000 },
  droppedPartitionFields: [],
};
