import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Stack } from "aws-cdk-lib";
import { CfnNamedQuery, CfnWorkGroup } from "aws-cdk-lib/aws-athena";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { type AnyTable, type DataClassification, sensitivity } from "../../lambdas/contracts/tables/index.js";

export interface NamedQueryFile {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** The analysts' questions: one `glue/queries/<name>.sql` each, its first `--` line the description. */
export function readNamedQueries(dir: string): NamedQueryFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), "utf8").trim();
      const first = sql.split("\n")[0] ?? "";
      if (!first.startsWith("-- "))
        throw new Error(`${f}: the first line must be a '-- ' comment describing the query`);
      return { name: f.replace(/\.sql$/, ""), description: first.slice(3).trim(), sql };
    });
}

/**
 * The most sensitive class a query reads: each lake table it names contributes its class, or a
 * column's own class where the query names a column classified above its table.
 */
export function queryClassification(sql: string, tables: readonly AnyTable[]): DataClassification {
  const names = (name: string) => new RegExp(`\\b${name}\\b`, "i").test(sql);
  let max: DataClassification = "performance";
  for (const t of tables.filter((x) => names(x.name))) {
    const read = [
      t.classification,
      ...t.columns.filter((c) => c.classification && names(c.name)).map((c) => c.classification!),
    ];
    for (const c of read) if (sensitivity(c) > sensitivity(max)) max = c;
  }
  return max;
}

export interface AnalyticsWorkgroupProps {
  readonly name: string;
  readonly database: string;
  readonly results: IBucket;
  /** Where in the results bucket this workgroup's results go, e.g. `results/` (ends with /). */
  readonly resultsPrefix: string;
  /** Encrypts the query results: the key of the most sensitive class its users read. */
  readonly dataKey: IKey;
  readonly bytesScannedCutoff: number;
  readonly queries: readonly NamedQueryFile[];
}

/**
 * The analysts' Athena workgroup: its settings are enforced (clients cannot override them), engine
 * version 3, results encrypted with the customer key, a per-query scan cutoff, CloudWatch metrics.
 */
export class AnalyticsWorkgroup extends Construct {
  readonly workgroup: CfnWorkGroup;
  readonly workgroupName: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AnalyticsWorkgroupProps,
  ) {
    super(scope, id);
    this.workgroupName = props.name;
    this.workgroup = new CfnWorkGroup(this, "Resource", {
      name: props.name,
      description: "Sideline analysts: Iceberg tables in the Sideline lakehouse",
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: props.results.s3UrlForObject(props.resultsPrefix),
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKey: props.dataKey.keyArn },
        },
      },
    });
    for (const q of props.queries) {
      new CfnNamedQuery(this, `Query-${q.name}`, {
        name: q.name,
        description: q.description.slice(0, 1024),
        database: props.database,
        workGroup: this.workgroup.ref,
        queryString: q.sql,
      });
    }
  }

  /**
   * Lets a principal run queries in this workgroup and read their results (what Step Functions'
   * Athena integration needs): Athena on this workgroup, Glue reads on this database's tables (all,
   * or the named ones), lakeformation:GetDataAccess (Lake Formation vends the table files'
   * credentials for what it has granted: no S3 read on a warehouse), result reads and writes under
   * this workgroup's prefix, and the results key. The results bucket is passed in, so that another
   * stack can pass its import of it. Which rows and columns it reads is Lake Formation's grant
   * (LakeAccess), not this.
   */
  grantQuery(grantee: IGrantable, access: { readonly results: IBucket; readonly tables?: readonly string[] }): Grant {
    const stack = Stack.of(this);
    const grant = Grant.addToPrincipal({
      grantee,
      actions: [
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
        "athena:GetWorkGroup",
      ],
      resourceArns: [stack.formatArn({ service: "athena", resource: "workgroup", resourceName: this.props.name })],
    });
    Grant.addToPrincipal({
      grantee,
      actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
      resourceArns: [
        stack.formatArn({ service: "glue", resource: "catalog" }),
        stack.formatArn({ service: "glue", resource: "database", resourceName: this.props.database }),
        ...(access.tables ?? ["*"]).map((t) =>
          stack.formatArn({ service: "glue", resource: "table", resourceName: `${this.props.database}/${t}` }),
        ),
      ],
    });
    // GetDataAccess has no resource-level permissions: Lake Formation's grants scope it
    // (https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions-reference.html).
    Grant.addToPrincipal({ grantee, actions: ["lakeformation:GetDataAccess"], resourceArns: ["*"] });
    access.results.grantReadWrite(grantee, `${this.props.resultsPrefix}*`);
    this.props.dataKey.grantEncryptDecrypt(grantee);
    return grant;
  }
}
