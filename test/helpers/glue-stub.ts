/**
 * A stand-in AWS Glue on 127.0.0.1 for the Iceberg table calls, spoken to by the real Glue client
 * (AWS JSON 1.1: POST /, X-Amz-Target AWSGlue.<Operation>), that behaves as Glue is documented to:
 * - CreateTable with OpenTableFormatInput.IcebergInput.CreateIcebergTableInput and the table's Name
 *   at the top level makes an Iceberg table (table_type ICEBERG, a metadata_location) from the
 *   input as given; a TableInput beside it is refused, as Glue refuses it;
 * - GetTable returns the catalog entry, and with AttributesToGet LATEST_ICEBERG_METADATA the
 *   table's current Iceberg metadata;
 * - UpdateTable with UpdateOpenTableFormatInput applies each IcebergTableUpdate as the table's next
 *   state: a new schema id is added and made current, a new sort order likewise, properties are set,
 *   the last column id is the highest id ever seen;
 * - DeleteTable removes the catalog entry.
 * The same server takes CloudFormation's response PUTs on /cfn/<name>, so a test reads what the
 * handler answered. Every call is recorded.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CreateIcebergTableInput,
  GlueClient,
  type IcebergTableMetadata,
  type Table,
  type UpdateOpenTableFormatInput,
} from "@aws-sdk/client-glue";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface GlueCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export interface GlueStubOptions {
  /** Gives created tables' columns ids 1..n by position, as a catalog that ignores the ids sent would. @default false */
  renumberOnCreate?: boolean;
  /** Milliseconds to hold every GetTable before answering. @default 0 */
  getTableDelayMs?: number;
}

interface StoredTable {
  name: string;
  databaseName: string;
  parameters: Record<string, string>;
  iceberg?: IcebergTableMetadata;
  version: number;
}

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

export class GlueStub {
  readonly calls: GlueCall[] = [];
  /** CloudFormation responses received, by the name in /cfn/<name>. */
  readonly responses = new Map<string, Record<string, unknown>[]>();
  /** PUTs to /cfn/<name> to refuse with 500 before accepting one. */
  failResponses = 0;
  readonly options: GlueStubOptions = {};
  private readonly tables = new Map<string, StoredTable>();
  private server!: Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void read(req).then(async (text) => {
        if (req.method === "PUT" && req.url?.startsWith("/cfn/")) {
          const name = req.url.slice("/cfn/".length);
          if (this.failResponses > 0) {
            this.failResponses--;
            res.writeHead(500).end();
            return;
          }
          this.responses.set(name, [...(this.responses.get(name) ?? []), JSON.parse(text)]);
          res.writeHead(200).end();
          return;
        }
        const operation = String(req.headers["x-amz-target"]).replace("AWSGlue.", "");
        const body = JSON.parse(text) as Record<string, unknown>;
        this.calls.push({ operation, body });
        const reply = (status: number, payload: unknown, errorType?: string) => {
          res.writeHead(status, {
            "content-type": "application/x-amz-json-1.1",
            ...(errorType ? { "x-amzn-errortype": errorType } : {}),
          });
          res.end(JSON.stringify(payload));
        };
        const fail = (type: string, message: string) => reply(400, { __type: type, Message: message }, type);
        try {
          if (operation === "GetTable" && this.options.getTableDelayMs)
            await new Promise((r) => setTimeout(r, this.options.getTableDelayMs));
          const out = this.operate(operation, body);
          reply(200, out);
        } catch (e) {
          const [type, message] = (e as Error).message.split(": ", 2) as [string, string];
          fail(type, message);
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  /** A real Glue client pointed at the stub. */
  client(): GlueClient {
    return new GlueClient({
      endpoint: `http://127.0.0.1:${this.port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
  }

  /** The ResponseURL CloudFormation would sign, here a path on the stub. */
  responseUrl(name: string): string {
    return `http://127.0.0.1:${this.port}/cfn/${name}`;
  }

  /** Forgets the calls and responses so far; the tables stay. */
  clear(): void {
    this.calls.length = 0;
    this.responses.clear();
  }

  /** Puts a table in the catalog as another stack, a console or an engine left it. */
  seed(databaseName: string, name: string, parameters: Record<string, string>, iceberg?: IcebergTableMetadata): void {
    this.tables.set(`${databaseName}.${name}`, { name, databaseName, parameters, iceberg, version: 0 });
  }

  table(databaseName: string, name: string): StoredTable | undefined {
    return this.tables.get(`${databaseName}.${name}`);
  }

  private operate(operation: string, b: Record<string, unknown>): unknown {
    const key = `${b.DatabaseName}.${b.Name}`;
    const location = (m: IcebergTableMetadata, v: number) =>
      `${m.Location?.replace(/\/$/, "")}/metadata/0000${v}.metadata.json`;
    switch (operation) {
      case "GetTable": {
        const t = this.tables.get(key);
        if (!t) throw new Error(`EntityNotFoundException: Table ${b.Name} not found.`);
        const withIceberg = (b.AttributesToGet as string[] | undefined)?.includes("LATEST_ICEBERG_METADATA");
        const table: Table = {
          Name: t.name,
          DatabaseName: t.databaseName,
          TableType: "EXTERNAL_TABLE",
          Parameters: t.parameters,
          ...(withIceberg && t.iceberg ? { IcebergTableMetadata: t.iceberg } : {}),
        };
        return { Table: table };
      }
      case "CreateTable": {
        const input = (b.OpenTableFormatInput as { IcebergInput?: Record<string, unknown> } | undefined)?.IcebergInput;
        if (b.TableInput && input)
          throw new Error(
            "InvalidInputException: Table metadata information present at multiple parts of input request",
          );
        if (!b.Name)
          throw new Error("InvalidInputException: Location information cannot be null while creating an iceberg table");
        if (this.tables.has(key)) throw new Error(`AlreadyExistsException: Table already exists.`);
        const create = input?.CreateIcebergTableInput as CreateIcebergTableInput;
        const schema = structuredClone(create.Schema!);
        if (this.options.renumberOnCreate)
          schema.Fields!.forEach((f, i) => {
            f.Id = i + 1;
          });
        const spec = create.PartitionSpec ?? { SpecId: 0, Fields: [] };
        const order = create.WriteOrder ?? { OrderId: 0, Fields: [] };
        const iceberg: IcebergTableMetadata = {
          FormatVersion: input?.Version as string,
          TableUuid: "00000000-0000-4000-8000-000000000000",
          Location: create.Location,
          Properties: { ...create.Properties },
          Schemas: [schema],
          CurrentSchemaId: schema.SchemaId ?? 0,
          LastColumnId: Math.max(0, ...schema.Fields!.map((f) => f.Id!)),
          PartitionSpecs: [spec],
          DefaultSpecId: spec.SpecId ?? 0,
          LastPartitionId: Math.max(999, ...(spec.Fields ?? []).map((f) => f.FieldId ?? 0)),
          SortOrders: [order],
          DefaultSortOrderId: order.OrderId,
        };
        // Iceberg keeps reserved properties out of the table's properties map.
        delete iceberg.Properties!["format-version"];
        this.tables.set(key, {
          name: String(b.Name),
          databaseName: String(b.DatabaseName),
          parameters: { table_type: "ICEBERG", metadata_location: location(iceberg, 0) },
          iceberg,
          version: 0,
        });
        return {};
      }
      case "UpdateTable": {
        const t = this.tables.get(key);
        if (!t?.iceberg) throw new Error(`EntityNotFoundException: Table ${b.Name} not found.`);
        if (b.TableInput && b.UpdateOpenTableFormatInput)
          throw new Error(
            "InvalidInputException: Table metadata information present at multiple parts of input request",
          );
        const updates = (b.UpdateOpenTableFormatInput as UpdateOpenTableFormatInput).UpdateIcebergInput!
          .UpdateIcebergTableInput!.Updates!;
        const m = t.iceberg;
        for (const u of updates) {
          if (!u.Schema || !u.Location) throw new Error("InvalidInputException: Schema and Location are required");
          const schema = u.Schema;
          if (!m.Schemas!.some((x) => x.SchemaId === schema.SchemaId)) m.Schemas!.push(schema);
          m.CurrentSchemaId = schema.SchemaId;
          m.LastColumnId = Math.max(m.LastColumnId ?? 0, ...schema.Fields!.map((f) => f.Id!));
          const order = u.SortOrder;
          if (order) {
            if (!m.SortOrders!.some((o) => o.OrderId === order.OrderId)) m.SortOrders!.push(order);
            m.DefaultSortOrderId = order.OrderId;
          }
          m.Properties = { ...m.Properties, ...u.Properties };
          m.Location = u.Location;
        }
        t.version++;
        t.parameters = { ...t.parameters, metadata_location: location(m, t.version) };
        return {};
      }
      case "DeleteTable": {
        if (!this.tables.delete(key)) throw new Error(`EntityNotFoundException: Table ${b.Name} not found.`);
        return {};
      }
      default:
        throw new Error(`InvalidAction: ${operation} is not stubbed`);
    }
  }
}
