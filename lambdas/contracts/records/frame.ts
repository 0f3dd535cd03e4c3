/**
 * A sampled video frame's metadata: `sideline.frame.v1`, the JSON sidecar a frame sampler uploads
 * beside each JPEG it sends for pose estimation (`<key>.json` beside `<key>.jpg` in the raw bucket).
 * Metadata comes first: the sampler decides which frames travel and for whom (from tracking or its
 * own detector), so the sidecar names each subject in the frame with its box and its own `seq`; the
 * pose invoker crops each box, asks the model, and puts one `sideline.pose.v1` record per subject on
 * the pose stream. Whole videos never travel: they go to cold storage.
 *
 * Coordinates are the image's pixels: x right, y down from the top-left corner.
 */
import "../zod-locale.js";
import * as z from "zod/mini";

export const FRAME_SCHEMA_V1 = "sideline.frame.v1";

const finite = z.number();

export const frameSubjectSchema = z
  .object({
    player_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    track_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    team: z.optional(z.string().check(z.maxLength(64))),
    /** The subject's sampled frames, numbered from 0 by the sampler: the pose record's seq. */
    seq: z.int().check(z.nonnegative()),
    /** x, y (top-left), width, height in image pixels. */
    bbox: z.tuple([finite, finite, finite.check(z.positive()), finite.check(z.positive())]),
    /** True on the subject's last sampled frame of the match. */
    final: z.optional(z.boolean()),
  })
  .check(
    z.refine((s) => s.player_id !== undefined || s.track_id !== undefined, "a subject needs player_id or track_id"),
  );

export const frameMetadataSchema = z.object({
  schema: z.literal(FRAME_SCHEMA_V1),
  match_id: z.string().check(z.minLength(1), z.maxLength(128)),
  camera_id: z.string().check(z.minLength(1), z.maxLength(128)),
  /** Epoch milliseconds of the frame. */
  t: finite,
  frame_index: z.optional(z.int().check(z.nonnegative())),
  image: z.object({ width: z.int().check(z.positive()), height: z.int().check(z.positive()) }),
  subjects: z.array(frameSubjectSchema).check(z.minLength(1), z.maxLength(64)),
});

export type FrameSubject = z.infer<typeof frameSubjectSchema>;
export type FrameMetadata = z.infer<typeof frameMetadataSchema>;
