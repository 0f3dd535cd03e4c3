/**
 * How a deployed Iceberg table may move towards its definition, as a pure function of the two: the
 * one Glue update that gets there, or the reasons it must not. Iceberg reads a data file's columns
 * by field id (https://iceberg.apache.org/spec/#column-projection), so everything here matches
 * columns by id, and a deploy only makes the changes Iceberg's schema evolution makes safe for
 * data already written (https://iceberg.apache.org/spec/#schema-evolution):
 * - a new column, optional, with an id never assigned before;
 * - a rename (same id, new name), a required column made optional, a type promotion;
 * - a new write order (it orders future writes only), new table properties.
 * Anything else is refused, naming the table and the field, with what to do instead: a type change
 * that is not a promotion, a new required column, a reused id, a changed key, partition spec or
 * location, a required column no longer defined.
 *
 * Two moves are never made backwards, because the forward move is safe and the backward one is
 * not: an optional column is not made required again, and a widened type is not narrowed. Nor is a
 * column dropped: a column the definition no longer has stays in the table (optional, its values
 * readable) until a person drops it. So a CloudFormation rollback, which sends the previous
 * definition after a deploy added or relaxed columns, succeeds and leaves the table as it is.
 */
import type {
  IcebergPartitionSpec,
  IcebergSchema,
  IcebergSortOrder,
  IcebergStructField,
  IcebergTableMetadata,
  IcebergTableUpdate,
} from "@aws-sdk/client-glue";
import type { IcebergTableInput } from "../../contracts/tables/iceberg-resource.js";

/**
 * Iceberg's primitive type promotions: the deployed type on the left may become one on the right
 * (https://iceberg.apache.org/spec/#schema-evolution, "Valid type promotions"); decimal(P, S) to
 * decimal(P', S) with P' > P is handled apart.
 */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = { int: ["long"], float: ["double"] };
const DECIMAL = /^decimal\((\d+),\s*(\d+)\)$/;

/**
 * Table properties that Iceberg reserves: they configure the table's creation or report its state,
 * and are not kept in its properties map (https://iceberg.apache.org/docs/latest/configuration/#reserved-table-properties).
 * The format version is compared with the metadata's own FormatVersion instead.
 */
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  "format-version",
  "uuid",
  "snapshot-count",
  "current-snapshot-id",
  "current-snapshot-summary",
  "current-snapshot-timestamp-ms",
  "current-schema",
  "default-partition-spec",
  "default-sort-order",
]);

/** Iceberg's reserved id of the unsorted order (https://iceberg.apache.org/spec/#sort-orders). */
const UNSORTED_ORDER_ID = 0;

/** The smallest format version with row-level deletes, which upserts need (https://iceberg.apache.org/spec/#version-2). */
const MIN_FORMAT_VERSION = 2;

/** A deploy that would break the table or the data in it: the deployment fails with this message. */
export class RefusedChange extends Error {
  override readonly name = "RefusedChange";
}

export interface Evolution {
  /** What the update changes, one line each; empty when the table already matches. */
  readonly changes: readonly string[];
  /** What differs and is left as it is on purpose (a column no longer defined, a relaxation kept). */
  readonly notes: readonly string[];
  /** The update to send: the table's whole next state. @default - none: nothing to change */
  readonly update?: IcebergTableUpdate;
}

/** A type as Glue returns it: a primitive is a string, a nested type a JSON document. */
const typeName = (t: unknown): string => (typeof t === "string" ? t : JSON.stringify(t));

function promotes(from: string, to: string): boolean {
  if (PROMOTIONS[from]?.includes(to)) return true;
  const a = DECIMAL.exec(from);
  const b = DECIMAL.exec(to);
  return a !== null && b !== null && a[2] === b[2] && Number(b[1]) > Number(a[1]);
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const trimSlash = (s: string) => s.replace(/\/+$/, "");

const partitionKey = (f: { Name?: string; Transform?: string; SourceId?: number; FieldId?: number }, withId = true) =>
  `${f.Name}=${f.Transform}(${f.SourceId})${withId && f.FieldId !== undefined ? `#${f.FieldId}` : ""}`;

const sortKey = (f: { SourceId?: number; Transform?: string; Direction?: string; NullOrder?: string }) =>
  `${f.Transform}(${f.SourceId}) ${f.Direction} ${f.NullOrder}`;

/** The current schema, partition spec and write order of deployed metadata. */
export function currentState(m: IcebergTableMetadata): {
  schema?: IcebergSchema;
  spec?: IcebergPartitionSpec;
  order?: IcebergSortOrder;
} {
  const schemas = m.Schemas ?? [];
  const specs = m.PartitionSpecs ?? [];
  const orders = m.SortOrders ?? [];
  return {
    schema: schemas.find((s) => s.SchemaId === m.CurrentSchemaId) ?? (schemas.length === 1 ? schemas[0] : undefined),
    spec: specs.find((s) => s.SpecId === m.DefaultSpecId) ?? (specs.length === 1 ? specs[0] : undefined),
    order: orders.find((o) => o.OrderId === m.DefaultSortOrderId) ?? (orders.length === 1 ? orders[0] : undefined),
  };
}

/**
 * The update that brings the deployed table to the definition, or throws RefusedChange listing
 * every reason it must not. `table` names the table in messages (database.table).
 */
export function planEvolution(table: string, deployed: IcebergTableMetadata, desired: IcebergTableInput): Evolution {
  const problems: string[] = [];
  const changes: string[] = [];
  const notes: string[] = [];
  const { schema: current, spec, order } = currentState(deployed);
  if (!current?.Fields) throw new RefusedChange(`table ${table}: its Iceberg metadata has no current schema`);

  const version = Number(deployed.FormatVersion ?? MIN_FORMAT_VERSION);
  if (version < MIN_FORMAT_VERSION)
    problems.push(
      `the table is Iceberg format version ${deployed.FormatVersion}: Sideline's writers upsert, which needs row-level deletes (version ${MIN_FORMAT_VERSION}); upgrade it by hand (Athena: ALTER TABLE ${table} SET TBLPROPERTIES ('format-version'='2'))`,
    );
  if (deployed.Location && trimSlash(deployed.Location) !== trimSlash(desired.location))
    problems.push(
      `the table's location is ${deployed.Location}, the definition's ${desired.location}: data files are addressed by absolute path, so a deploy does not move a table; keep the location, or copy the table and register the copy by hand`,
    );

  // Columns, by id.
  const deployedById = new Map(current.Fields.map((f) => [f.Id, f]));
  const allIds = (deployed.Schemas ?? []).flatMap((s) => (s.Fields ?? []).map((f) => f.Id ?? 0));
  const lastColumnId = deployed.LastColumnId ?? Math.max(0, ...allIds);
  const formerName = (id: number) =>
    (deployed.Schemas ?? []).flatMap((s) => s.Fields ?? []).find((f) => f.Id === id)?.Name;
  const column = (name: string | undefined, id: number | undefined) => `column '${name}' (id ${id})`;
  const fields: IcebergStructField[] = [];
  const schemaChanges: string[] = [];
  for (const d of desired.schema.fields) {
    const p = deployedById.get(d.id);
    if (!p) {
      if (d.id <= lastColumnId) {
        const was = formerName(d.id);
        problems.push(
          `column '${d.name}' has id ${d.id}, which the table already gave to ${was ? `'${was}'` : "a column since dropped"} (its last-column-id is ${lastColumnId}): an id is never reused, or data files written under it would be read as '${d.name}'; give '${d.name}' ${lastColumnId + 1} in lambdas/contracts/tables/field-ids.json`,
        );
      } else if (d.required) {
        problems.push(
          `${column(d.name, d.id)} is new and required: the rows already in the table have no value for it; define it with optCol (nullable)`,
        );
      } else {
        schemaChanges.push(`add ${column(d.name, d.id)}, ${d.type}`);
        fields.push({ Id: d.id, Name: d.name, Type: d.type, Required: false, Doc: d.doc });
      }
      continue;
    }
    let type = typeName(p.Type);
    if (type !== d.type) {
      if (promotes(type, d.type)) {
        schemaChanges.push(`widen ${column(d.name, d.id)} from ${type} to ${d.type}`);
        type = d.type;
      } else if (promotes(d.type, type)) {
        notes.push(`${column(d.name, d.id)} stays ${type}: Iceberg never narrows a column back to ${d.type}`);
      } else {
        problems.push(
          `${column(p.Name, d.id)}: ${type} to ${d.type} is not a type change Iceberg allows (int to long, float to double, decimal to a wider precision); add a new column with a new id instead`,
        );
      }
    }
    let required = p.Required === true;
    if (required && !d.required) {
      schemaChanges.push(`make ${column(d.name, d.id)} optional`);
      required = false;
    } else if (!required && d.required) {
      notes.push(
        `${column(d.name, d.id)} stays optional: rows may already hold nulls, so a column is never made required again`,
      );
    }
    if (p.Name !== d.name) schemaChanges.push(`rename column '${p.Name}' (id ${d.id}) to '${d.name}'`);
    fields.push({ Id: d.id, Name: d.name, Type: type, Required: required, Doc: d.doc });
  }
  changes.push(...schemaChanges);
  const defined = new Set(desired.schema.fields.map((f) => f.id));
  for (const p of current.Fields) {
    if (defined.has(p.Id ?? -1)) continue;
    if (p.Required) {
      problems.push(
        `${column(p.Name, p.Id)} is required in the table but no longer defined: writers would leave it empty and fail; define it again (optional, to relax it), or drop it by hand (Athena: ALTER TABLE ${table} DROP COLUMN ${p.Name})`,
      );
    } else {
      notes.push(
        `${column(p.Name, p.Id)} is no longer defined: it stays in the table, its values readable, until dropped by hand (Athena: ALTER TABLE ${table} DROP COLUMN ${p.Name})`,
      );
      fields.push(p);
    }
  }
  const names = fields.map((f) => f.Name);
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(
      `two columns would be named '${n}' (ids ${fields
        .filter((f) => f.Name === n)
        .map((f) => f.Id)
        .join(" and ")}): rename one, or drop the old one by hand first`,
    );

  const key = current.IdentifierFieldIds ?? [];
  if (!sameList(key, desired.schema.identifierFieldIds))
    problems.push(
      `the key (identifier field ids) is [${key.join(", ")}] in the table and [${desired.schema.identifierFieldIds.join(", ")}] in the definition: upserts on another key would not find the rows already written; a new key needs a new table`,
    );

  // Partition spec: compared, never changed by a deploy.
  const deployedParts = (spec?.Fields ?? []).map((f) => partitionKey(f, f.FieldId !== undefined));
  const desiredParts = desired.partitionSpec.fields.map((f) =>
    partitionKey(
      { Name: f.name, Transform: f.transform, SourceId: f.sourceId, FieldId: f.fieldId },
      (spec?.Fields ?? []).every((x) => x.FieldId !== undefined),
    ),
  );
  if (!sameList(deployedParts, desiredParts))
    problems.push(
      `the partition spec is [${deployedParts.join(", ")}] in the table and [${desiredParts.join(", ")}] in the definition: a deploy does not repartition, because an upsert's equality delete reaches only rows written under its own spec, and rows written before the change would stay duplicated; keep the partitioning, or create a new table`,
    );

  // Write order: it orders future writes only, so a new one is applied.
  const deployedOrder = (order?.Fields ?? []).map(sortKey);
  const desiredOrder = desired.writeOrder.fields.map((f) =>
    sortKey({ SourceId: f.sourceId, Transform: f.transform, Direction: f.direction, NullOrder: f.nullOrder }),
  );
  let sortOrder: IcebergSortOrder = order ?? { OrderId: UNSORTED_ORDER_ID, Fields: [] };
  if (!sameList(deployedOrder, desiredOrder)) {
    const next = Math.max(UNSORTED_ORDER_ID, ...(deployed.SortOrders ?? []).map((o) => o.OrderId ?? 0)) + 1;
    sortOrder = {
      OrderId: desiredOrder.length === 0 ? UNSORTED_ORDER_ID : next,
      Fields: desired.writeOrder.fields.map((f) => ({
        SourceId: f.sourceId,
        Transform: f.transform,
        Direction: f.direction as "asc" | "desc",
        NullOrder: f.nullOrder as "nulls-first" | "nulls-last",
      })),
    };
    changes.push(`set the write order to [${desiredOrder.join(", ")}]`);
  }

  // Properties: set, never removed (Glue, Firehose and the optimizers add their own).
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployed.Properties ?? {})) if (!RESERVED_PROPERTIES.has(k)) properties[k] = v;
  for (const [k, v] of Object.entries(desired.properties)) {
    if (RESERVED_PROPERTIES.has(k)) continue;
    if (properties[k] !== v) changes.push(`set property ${k}=${v}`);
    properties[k] = v;
  }

  if (problems.length > 0)
    throw new RefusedChange(
      `table ${table} cannot be changed to its definition by a deploy:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
  if (changes.length === 0) return { changes, notes };
  const schema: IcebergSchema =
    schemaChanges.length > 0
      ? {
          SchemaId: Math.max(0, ...(deployed.Schemas ?? []).map((s) => s.SchemaId ?? 0)) + 1,
          Type: "struct",
          Fields: fields,
          IdentifierFieldIds: [...key],
        }
      : current;
  return {
    changes,
    notes,
    update: {
      Schema: schema,
      // The deployed spec as it is: the update carries the table's whole next state, and the spec does not change.
      PartitionSpec: spec ?? { SpecId: 0, Fields: [] },
      SortOrder: sortOrder,
      Location: deployed.Location ?? desired.location,
      Properties: properties,
    },
  };
}
