import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CfnNamedQuery, CfnWorkGroup } from "aws-cdk-lib/aws-athena";
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

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
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
}
