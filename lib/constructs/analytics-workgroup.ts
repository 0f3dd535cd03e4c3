import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Stack } from "aws-cdk-lib";
import { CfnNamedQuery, CfnWorkGroup } from "aws-cdk-lib/aws-athena";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

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

export interface AnalyticsWorkgroupProps {
  readonly name: string;
  readonly database: string;
  readonly results: IBucket;
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
          outputLocation: props.results.s3UrlForObject("results/"),
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
   * Athena integration needs): Athena on this workgroup, Glue reads on this database, S3 reads on
   * the warehouse, result writes, and the data key. The buckets are passed in, so that another stack
   * can pass its imports of them.
   */
  grantQuery(grantee: IGrantable, buckets: { readonly warehouse: IBucket; readonly results: IBucket }): Grant {
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
        stack.formatArn({ service: "glue", resource: "table", resourceName: `${this.props.database}/*` }),
      ],
    });
    buckets.warehouse.grantRead(grantee);
    buckets.results.grantReadWrite(grantee);
    this.props.dataKey.grantEncryptDecrypt(grantee);
    return grant;
  }
}
