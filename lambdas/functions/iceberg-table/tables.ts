/**
 * The Glue calls that create, evolve and delete one Iceberg table, and what each leaves behind.
 * Every operation can be repeated: CloudFormation retries, Lambda retries an asynchronous
 * invocation that crashed, and a rollback replays the previous properties.
 *
 * Request shapes, as Glue accepts them: an Iceberg table is created and updated through the open
 * table format inputs with the table's `Name` at the top level and no `TableInput` (a `TableInput`
 * beside them is refused, or replaces the table's parameters, table_type and metadata_location
 * included: https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1919).
 * The Terraform AWS provider, tested against Glue, sends the same shapes
 * (hashicorp/terraform-provider-aws, internal/service/glue/catalog_table.go: resourceCatalogTableCreate
 * and resourceCatalogTableUpdate).
 * - CreateTable with OpenTableFormatInput.IcebergInput: MetadataOperation CREATE, Version, and
 *   CreateIcebergTableInput (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateIcebergTableInput.html).
 * - GetTable with AttributesToGet DEFAULT and LATEST_ICEBERG_METADATA: the catalog entry and the
 *   table's current Iceberg metadata (https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html,
 *   https://docs.aws.amazon.com/glue/latest/webapi/API_IcebergTableMetadata.html).
 * - UpdateTable with UpdateOpenTableFormatInput.UpdateIcebergInput.UpdateIcebergTableInput: one
 *   IcebergTableUpdate, the table's whole next state (its Schema and Location are required)
 *   (https://docs.aws.amazon.com/glue/latest/webapi/API_IcebergTableUpdate.html).
 * Glue writes the new metadata.json under the table's location with the caller's own S3 and KMS
 * permissions (https://docs.aws.amazon.com/lake-formation/latest/dg/creating-iceberg-tables.html).
 *
 * After each write the table is read back and planned again: a table that does not then match its
 * definition (Glue assigned other ids, or left out a part) fails the deployment with what differs,
 * instead of passing it on to the next deploy.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetTableCommand,
  type GlueClient,
  type IcebergTableMetadata,
  type Table,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import type { IcebergTableInput, TableRemovalPolicy } from "../../contracts/tables/iceberg-resource.js";
import { type Evolution, planEvolution, RefusedChange } from "./evolution.js";

/** The Iceberg format version Sideline creates: v2, for row-level deletes (https://iceberg.apache.org/spec/#version-2). */
export const ICEBERG_FORMAT_VERSION = "2";

/** Glue's parameter that marks a catalog entry as an Iceberg table. */
const TABLE_TYPE = "table_type";

export interface TableRef {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
}

/** What ensure did: created the table, updated it, or found it matching already. */
export type EnsureOutcome = { readonly action: "created" | "updated" | "unchanged" } & Omit<Evolution, "update">;

const nameOf = (t: TableRef) => `${t.databaseName}.${t.tableName}`;
const errorName = (e: unknown) => (e as { name?: string }).name;

/** The table's definition in Glue's CreateIcebergTableInput shape. */
export function createIcebergTableInput(input: IcebergTableInput) {
  return {
    Location: input.location,
    Schema: {
      SchemaId: input.schema.schemaId,
      Type: input.schema.type,
      Fields: input.schema.fields.map((f) => ({
        Id: f.id,
        Name: f.name,
        Type: f.type,
        Required: f.required,
        Doc: f.doc,
      })),
      IdentifierFieldIds: input.schema.identifierFieldIds,
    },
    PartitionSpec: {
      SpecId: input.partitionSpec.specId,
      Fields: input.partitionSpec.fields.map((f) => ({
        Name: f.name,
        SourceId: f.sourceId,
        Transform: f.transform,
        FieldId: f.fieldId,
      })),
    },
    WriteOrder: {
      OrderId: input.writeOrder.orderId,
      Fields: input.writeOrder.fields.map((f) => ({
        SourceId: f.sourceId,
        Transform: f.transform,
        Direction: f.direction as "asc" | "desc",
        NullOrder: f.nullOrder as "nulls-first" | "nulls-last",
      })),
    },
    Properties: input.properties,
  };
}

export class IcebergTables {
  constructor(private readonly glue: GlueClient) {}

  /** The catalog entry and its Iceberg metadata, or undefined when there is no such table. */
  async read(t: TableRef): Promise<{ table: Table; iceberg: IcebergTableMetadata } | undefined> {
    let table: Table | undefined;
    try {
      ({ Table: table } = await this.glue.send(
        new GetTableCommand({
          CatalogId: t.catalogId,
          DatabaseName: t.databaseName,
          Name: t.tableName,
          AttributesToGet: ["DEFAULT", "LATEST_ICEBERG_METADATA"],
        }),
      ));
    } catch (e) {
      if (errorName(e) === "EntityNotFoundException") return undefined;
      throw e;
    }
    if (!table) return undefined;
    const type = table.Parameters?.[TABLE_TYPE];
    if (type?.toUpperCase() !== "ICEBERG")
      throw new RefusedChange(
        `table ${nameOf(t)} exists but is not an Iceberg table (${TABLE_TYPE} is ${type ?? "not set"}; an update of an AWS::Glue::Table resource strips it: https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1919): restore ${TABLE_TYPE}=ICEBERG and metadata_location by hand, or delete the catalog entry so that the table is created again`,
      );
    if (!table.IcebergTableMetadata)
      throw new RefusedChange(
        `table ${nameOf(t)}: GetTable returned no Iceberg metadata (AttributesToGet LATEST_ICEBERG_METADATA), so its schema cannot be compared with the definition`,
      );
    return { table, iceberg: table.IcebergTableMetadata };
  }

  /**
   * Makes the table match its definition: creates it when there is none, and otherwise adopts the
   * table there is (retained from an earlier stack, or created by a retried invocation) and evolves
   * it. Throws RefusedChange when the table cannot be brought to the definition safely.
   */
  async ensure(t: TableRef, desired: IcebergTableInput, raced = false): Promise<EnsureOutcome> {
    const existing = await this.read(t);
    if (!existing) {
      try {
        await this.glue.send(
          new CreateTableCommand({
            CatalogId: t.catalogId,
            DatabaseName: t.databaseName,
            Name: t.tableName,
            OpenTableFormatInput: {
              IcebergInput: {
                MetadataOperation: "CREATE",
                Version: ICEBERG_FORMAT_VERSION,
                CreateIcebergTableInput: createIcebergTableInput(desired),
              },
            },
          }),
        );
      } catch (e) {
        // Created meanwhile (a concurrent retry of this request): adopt it as any existing table, once.
        if (errorName(e) === "AlreadyExistsException" && !raced) return this.ensure(t, desired, true);
        throw e;
      }
      const created = await this.verify(t, desired, "created").catch(async (e: unknown) => {
        // The table was created by this request and holds no data yet: delete it, so that a retry starts clean.
        const cleanup = await this.glue
          .send(new DeleteTableCommand({ CatalogId: t.catalogId, DatabaseName: t.databaseName, Name: t.tableName }))
          .then(
            () => "it was deleted again",
            (d: unknown) => `deleting it again failed too (${(d as Error).message})`,
          );
        throw new RefusedChange(`${(e as Error).message}; ${cleanup}`);
      });
      return { action: "created", ...created };
    }
    const plan = planEvolution(nameOf(t), existing.iceberg, desired);
    if (!plan.update) return { action: "unchanged", changes: [], notes: plan.notes };
    await this.glue.send(
      new UpdateTableCommand({
        CatalogId: t.catalogId,
        DatabaseName: t.databaseName,
        Name: t.tableName,
        UpdateOpenTableFormatInput: { UpdateIcebergInput: { UpdateIcebergTableInput: { Updates: [plan.update] } } },
      }),
    );
    await this.verify(t, desired, "updated");
    return { action: "updated", changes: plan.changes, notes: plan.notes };
  }

  /** Reads the table back after a write and fails if it still differs from the definition. */
  private async verify(t: TableRef, desired: IcebergTableInput, what: string): Promise<Omit<Evolution, "update">> {
    const after = await this.read(t);
    if (!after) throw new Error(`table ${nameOf(t)} was ${what}, but GetTable does not find it`);
    let again: Evolution;
    try {
      again = planEvolution(nameOf(t), after.iceberg, desired);
    } catch (e) {
      throw new RefusedChange(
        `Glue ${what} table ${nameOf(t)}, but it does not match its definition: ${(e as Error).message}`,
      );
    }
    if (again.update)
      throw new RefusedChange(
        `Glue ${what} table ${nameOf(t)}, but it still differs from its definition: ${again.changes.join("; ")}`,
      );
    return { changes: [], notes: again.notes };
  }

  /**
   * Deletes the catalog entry when the policy is destroy; the table's files in S3 stay (Glue
   * DeleteTable removes the catalog entry only: https://docs.aws.amazon.com/glue/latest/webapi/API_DeleteTable.html).
   */
  async remove(t: TableRef, policy: TableRemovalPolicy): Promise<"retained" | "deleted" | "absent"> {
    if (policy === "retain") return "retained";
    try {
      await this.glue.send(
        new DeleteTableCommand({ CatalogId: t.catalogId, DatabaseName: t.databaseName, Name: t.tableName }),
      );
      return "deleted";
    } catch (e) {
      if (errorName(e) === "EntityNotFoundException") return "absent";
      throw e;
    }
  }
}
