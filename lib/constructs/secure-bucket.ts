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
  }
}
