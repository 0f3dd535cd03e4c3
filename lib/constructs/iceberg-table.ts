import { CustomResource, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import {
  ICEBERG_TABLE_RESOURCE_TYPE,
  type IcebergTableInput,
  icebergTableResourceProperties,
} from "../../lambdas/contracts/tables/iceberg-resource.js";

export interface IcebergTableProps {
  /** The function that creates, evolves and deletes the table: the resource's service token. */
  readonly provider: IFunction;
  readonly databaseName: string;
  readonly tableName: string;
  /** The table, its location and pinned field ids included (lib/iceberg.ts, icebergTableInput). */
  readonly input: IcebergTableInput;
  /**
   * RETAIN keeps the Glue table when the resource leaves the stack (CloudFormation does not even ask
   * the function); DESTROY deletes its catalog entry. The table's files in S3 stay either way.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One Iceberg table in the Glue Data Catalog, owned by a custom resource instead of an
 * AWS::Glue::Table: CloudFormation's Glue table resource fails to create an Iceberg table from its
 * Iceberg input, and an update of it strips table_type and metadata_location
 * (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1919, #2495). The
 * function (lambdas/functions/iceberg-table/) calls Glue's Iceberg APIs: a deploy creates the table,
 * adopts one that exists, and applies the schema changes Iceberg makes safe, and fails on any other.
 */
export class IcebergTable extends Construct {
  readonly resource: CustomResource;
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: IcebergTableProps) {
    super(scope, id);
    this.tableName = props.tableName;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const properties = icebergTableResourceProperties({
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableName: props.tableName,
      input: props.input,
      removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? "destroy" : "retain",
    });
    this.resource = new CustomResource(this, "Resource", {
      serviceToken: props.provider.functionArn,
      resourceType: ICEBERG_TABLE_RESOURCE_TYPE,
      properties: { ...properties },
      removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
