import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { IKey } from "aws-cdk-lib/aws-kms";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { acknowledge } from "../nag.js";

export interface SecureBucketProps {
  /** The customer-managed key for SSE-KMS. */
  readonly encryptionKey: IKey;
  /** Where S3 server access logs go. */
  readonly accessLogs: IBucket;
  /** Versioning, for buckets where data lives. @default true */
  readonly versioned?: boolean;
  /** Rules added to the house rules (abort incomplete uploads, expire noncurrent versions). @default - none */
  readonly lifecycleRules?: LifecycleRule[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Why no Sideline bucket replicates (HIPAA.Security-S3BucketReplicationEnabled). */
export const REPLICATION_REASON =
  "Cross-Region replication would keep a second copy of players' personal and health data in another Region, a data-residency decision for the club's data protection officer rather than a default, and double the storage bill. Within its Region S3 stores each object across at least three Availability Zones (99.999999999% durability); versioning (where data lives) and the Retain deletion policy guard against deletion.";

/**
 * The house bucket: public access blocked, TLS enforced, SSE-KMS with the customer key (S3 Bucket
 * Keys on, which cuts KMS requests ~99%), versioned, and access-logged to the log bucket.
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: props.versioned ?? true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      lifecycleRules: [
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.versioned === false
          ? []
          : [{ id: "expire-noncurrent", noncurrentVersionExpiration: Duration.days(30) }]),
        ...(props.lifecycleRules ?? []),
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(this.bucket, { "HIPAA.Security-S3BucketReplicationEnabled": REPLICATION_REASON });
  }
}
