/** The raw bucket's objects, as the pose invoker reads them: GetObject, and null for NoSuchKey. */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ObjectReader } from "./invoker.js";

/** A frame and its sidecar are small (a JPEG, a few KB of JSON): read whole. */
export function s3ObjectReader(client: Pick<S3Client, "send">): ObjectReader {
  return {
    async get(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!out.Body) return new Uint8Array(0);
        return await out.Body.transformToByteArray();
      } catch (e) {
        if ((e as { name?: string }).name === "NoSuchKey") return null;
        throw e;
      }
    },
  };
}
