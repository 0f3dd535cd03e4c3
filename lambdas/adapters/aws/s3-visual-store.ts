/** Insight pictures in S3: the bucket's default encryption (the data key) applies to each object. */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { VisualStore } from "../../ports.js";

export class S3VisualStore implements VisualStore {
  constructor(
    private readonly client: Pick<S3Client, "send">,
    private readonly bucket: string,
  ) {
    if (!bucket) throw new Error("visuals bucket name is empty: set VISUALS_BUCKET");
  }

  urlFor(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async put(key: string, svg: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: svg, ContentType: "image/svg+xml" }),
    );
  }
}
