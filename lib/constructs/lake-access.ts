/**
 * Who may read which data in the lake, derived from the tables' classification (lambdas/contracts/
 * tables/schema.ts) with AWS Lake Formation:
 * - the warehouses are registered with Lake Formation, each with its own data-access role (scoped to
 *   its bucket and its class's key), so Athena reads table files with credentials Lake Formation
 *   vends per query, not with the reader's own S3 permissions;
 * - an LF-tag `sideline_classification` is attached to every table (its class) and to every column
 *   classified above its table (a column-level exclusion: readers of the table's class don't see it);
 * - grants are by LF-tag expression for people (analysts: performance and media metadata; medical
 *   staff: health and biometric), and by named table and columns for machines (the scouting
 *   workflow reads the columns of its query only; each Firehose stream writes its own table).
 * The database gives new tables no IAMAllowedPrincipals grant, so IAM alone reads nothing: every
 * reader needs a Lake Formation grant (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html).
 */
import { type CfnElement, Fn, Stack } from "aws-cdk-lib";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import {
  CfnDataLakeSettings,
  CfnPrincipalPermissions,
  CfnResource,
  CfnTag,
  CfnTagAssociation,
} from "aws-cdk-lib/aws-lakeformation";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct, type IConstruct } from "constructs";
import {
  type AnyTable,
  classificationProblems,
  DATA_CLASSIFICATIONS,
  type DataClassification,
} from "../../lambdas/contracts/tables/index.js";
import { allowDecrypt, KEY_CLASSES, type KeyClass, SPECIAL_CATEGORY_KEYS } from "../data-access.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason } from "../nag.js";

/** The LF-tag that carries a table's (or column's) data classification. LF-tag keys are lowercase. */
export const CLASSIFICATION_TAG = "sideline_classification";

/** Lake Formation permissions a reader gets on a table: read rows, see the table. */
export const READ_PERMISSIONS = ["SELECT", "DESCRIBE"] as const;
/**
 * What a Firehose Iceberg stream needs on its table when Lake Formation governs it: read and write
 * rows, upsert (delete), and commit snapshots (alter)
 * (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-iceberg).
 */
export const WRITE_PERMISSIONS = ["SELECT", "INSERT", "DELETE", "DESCRIBE", "ALTER"] as const;

/** Columns a principal reads, by table. */
export type ColumnReads = Readonly<Record<string, readonly string[]>>;

/** A person's access role: the classes it reads. */
export interface AccessRoleSpec {
  readonly classes: readonly DataClassification[];
  readonly description: string;
}

/**
 * The named roles, by the classes they read. Medical staff read biometric data too: joint angles
 * and landing mechanics are part of an injury assessment.
 */
export const ACCESS_ROLES = {
  analyst: {
    classes: ["performance", "media-metadata"],
    description: "Sideline analysts: performance tables and media metadata in Athena, no health or biometric data",
  },
  medical: {
    classes: ["health", "biometric"],
    description: "Sideline medical staff: health and biometric tables in Athena",
  },
} as const satisfies Record<string, AccessRoleSpec>;
export type AccessRoleName = keyof typeof ACCESS_ROLES;

export interface LakeAccessProps {
  readonly databaseName: string;
  readonly tables: readonly AnyTable[];
  /** The warehouses to register, one per key class, and their keys. */
  readonly warehouses: Readonly<Record<KeyClass, IBucket>>;
  readonly keys: Readonly<Record<KeyClass, IKey>>;
  /** Extra data lake administrators (IAM ARNs), added to the account's list (never replacing it). */
  readonly admins: readonly string[];
  /** What creates the tables: tag associations wait for them. */
  readonly tablesReady: readonly IConstruct[];
}

export class LakeAccess extends Construct {
  readonly settings: CfnDataLakeSettings;
  readonly tag: CfnTag;
  private readonly locations: CfnResource[] = [];
  private readonly catalogId: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: LakeAccessProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.catalogId = stack.account;
    const problems = props.tables.flatMap(classificationProblems);
    if (problems.length > 0) throw new Error(problems.join("\n"));

    // The deploying role must be a data lake administrator to tag and grant. APPEND adds it (and the
    // configured admins) to the account's list instead of replacing it
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lakeformation-datalakesettings.html).
    const deployer = Fn.sub(
      (stack.synthesizer as { cloudFormationExecutionRoleArn?: string }).cloudFormationExecutionRoleArn ??
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, not a template literal
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}",
    );
    this.settings = new CfnDataLakeSettings(this, "Settings", {
      mutationType: "APPEND",
      admins: [deployer, ...props.admins].map((arn) => ({ dataLakePrincipalIdentifier: arn })),
    });

    // One registration per warehouse, each with a role that reaches that bucket and its key only.
    for (const k of KEY_CLASSES) {
      const name = `${k[0]!.toUpperCase()}${k.slice(1)}`;
      const role = new Role(this, `${name}DataAccess`, {
        assumedBy: new ServicePrincipal("lakeformation.amazonaws.com"),
        description: `Lake Formation reads and writes the ${k} warehouse for principals it has granted`,
      });
      props.warehouses[k].grantReadWrite(role);
      props.keys[k].grantEncryptDecrypt(role);
      if (SPECIAL_CATEGORY_KEYS.includes(k)) allowDecrypt(role, k);
      acknowledge(role, {
        ...grantWildcardReasons(`Lake Formation's ${k} data access`),
        ...inlinePolicyReason(`Lake Formation's ${k} data-access role`),
        [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.warehouses[k].node.defaultChild as never)}.Arn>/*]`]: `Lake Formation vends credentials for any table under the ${k} warehouse, narrowed per query to the granted table's location.`,
      });
      const location = new CfnResource(this, `${name}Location`, {
        resourceArn: props.warehouses[k].bucketArn,
        roleArn: role.roleArn,
        useServiceLinkedRole: false,
        hybridAccessEnabled: false,
      });
      location.addResourceDependency(this.settings);
      this.locations.push(location);
    }

    this.tag = new CfnTag(this, "ClassificationTag", {
      catalogId: this.catalogId,
      tagKey: CLASSIFICATION_TAG,
      tagValues: [...DATA_CLASSIFICATIONS],
    });
    this.tag.addResourceDependency(this.settings);
    for (const t of props.tables) {
      const table = { catalogId: this.catalogId, databaseName: props.databaseName, name: t.name };
      const tagged = (aid: string, resource: CfnTagAssociation.ResourceProperty, c: DataClassification) => {
        const a = new CfnTagAssociation(this, aid, {
          resource,
          lfTags: [{ catalogId: this.catalogId, tagKey: CLASSIFICATION_TAG, tagValues: [c] }],
        });
        a.addResourceDependency(this.tag);
        a.node.addDependency(...props.tablesReady);
        return a;
      };
      const tableTag = tagged(`${t.name}Tag`, { table }, t.classification);
      // Columns above their table's class get their own tag, which overrides the table's for them.
      const higher = new Map<DataClassification, string[]>();
      for (const c of t.columns)
        if (c.classification) higher.set(c.classification, [...(higher.get(c.classification) ?? []), c.name]);
      for (const [c, columns] of higher) {
        const a = tagged(
          `${t.name}${c.replace(/-/g, "")}ColumnsTag`,
          { tableWithColumns: { ...table, columnNames: columns } },
          c,
        );
        a.addResourceDependency(tableTag);
      }
    }
  }

  /**
   * Lets a role read the tables (and columns) of these classes, whatever tables are added later:
   * a grant on the LF-tag expression, and DESCRIBE on the database.
   */
  grantClasses(role: IRole, classes: readonly DataClassification[]): CfnPrincipalPermissions[] {
    const expression = [{ tagKey: CLASSIFICATION_TAG, tagValues: [...classes] }];
    return [
      this.permission(role, "Database", { database: { catalogId: this.catalogId, name: this.props.databaseName } }, [
        "DESCRIBE",
      ]),
      this.permission(
        role,
        "Classes",
        { lfTagPolicy: { catalogId: this.catalogId, resourceType: "TABLE", expression } },
        READ_PERMISSIONS,
      ),
    ];
  }

  /** Lets a role SELECT these columns of these tables only (a machine's query). */
  grantColumns(role: IRole, reads: ColumnReads): CfnPrincipalPermissions[] {
    return Object.entries(reads).map(([name, columns]) => {
      const t = this.tableOf(name);
      for (const c of columns)
        if (!t.columns.some((x) => x.name === c)) throw new Error(`table ${name} has no column ${c} to grant`);
      return this.permission(
        role,
        `${name}Columns`,
        {
          tableWithColumns: {
            catalogId: this.catalogId,
            databaseName: this.props.databaseName,
            name,
            columnNames: [...columns],
          },
        },
        ["SELECT"],
      );
    });
  }

  /** Lets a role hold these permissions on one table. */
  grantTable(role: IRole, name: string, permissions: readonly string[]): CfnPrincipalPermissions {
    this.tableOf(name);
    return this.permission(
      role,
      `${name}Table`,
      { table: { catalogId: this.catalogId, databaseName: this.props.databaseName, name } },
      permissions,
    );
  }

  /**
   * Lets a role point tables at the warehouses (DATA_LOCATION_ACCESS), e.g. the table optimizers and
   * the table function. Only needs the settings and the registrations: tables may wait for it.
   */
  grantDataLocations(role: IRole): CfnPrincipalPermissions[] {
    return KEY_CLASSES.map((k) =>
      this.permission(
        role,
        `${k}Location`,
        { dataLocation: { catalogId: this.catalogId, resourceArn: this.props.warehouses[k].bucketArn } },
        ["DATA_LOCATION_ACCESS"],
        [this.settings, ...this.locations],
      ),
    );
  }

  /**
   * Lets the table creator create tables in the database. The creator of a table holds every
   * permission on it (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html),
   * so evolving it needs nothing more. Only needs the settings: tables may wait for it.
   */
  grantCreateTables(role: IRole, database: IConstruct): CfnPrincipalPermissions {
    return this.permission(
      role,
      "CreateTables",
      { database: { catalogId: this.catalogId, name: this.props.databaseName } },
      ["CREATE_TABLE", "DESCRIBE"],
      [this.settings, database],
    );
  }

  private tableOf(name: string): AnyTable {
    const t = this.props.tables.find((x) => x.name === name);
    if (!t) throw new Error(`no lake table '${name}' to grant on`);
    return t;
  }

  /** A grant, created beside the role (its stack), after the settings, the tag and the tables. */
  private permission(
    role: IRole,
    what: string,
    resource: CfnPrincipalPermissions.ResourceProperty,
    permissions: readonly string[],
    after: readonly IConstruct[] = [this],
  ): CfnPrincipalPermissions {
    // In the role's stack, at its root: a child of the role would sit inside whatever must wait for it.
    const scope = Stack.of(role);
    const id = `LakeFormation${scope.getLogicalId(role.node.defaultChild as CfnElement)}${what.replace(/[^A-Za-z0-9]/g, "")}`;
    const p = new CfnPrincipalPermissions(scope, id, {
      catalog: this.catalogId,
      principal: { dataLakePrincipalIdentifier: role.roleArn },
      resource,
      permissions: [...permissions],
      permissionsWithGrantOption: [],
    });
    p.node.addDependency(...after);
    return p;
  }
}
