/**
 * The pose modality's tables: one skeleton per row (pose_frames), and biomechanics per player and
 * window (biomech_windows). Both are classified biometric: body measurements of identifiable people.
 */
import { COCO17, type Coco17Name } from "../records/pose.js";
import { type ColumnDef, col, defineTable, optCol } from "./schema.js";

/** A keypoint column's name. */
export type KeypointColumn = `${Coco17Name}_${"x" | "y" | "score"}`;

/** The 51 keypoint columns: `<keypoint>_x`, `_y` (image pixels) and `_score`, null where not found. */
const keypointColumns = COCO17.flatMap((k) => [
  optCol(`${k}_x`, "double", `${k.replace(/_/g, " ")}: x, image pixels from the left edge.`),
  optCol(`${k}_y`, "double", `${k.replace(/_/g, " ")}: y, image pixels from the top edge.`),
  optCol(`${k}_score`, "double", `${k.replace(/_/g, " ")}: the model's confidence, 0-1; null when not found.`),
]) as readonly ColumnDef<KeypointColumn, "double", true>[];

export const POSE_FRAMES = defineTable({
  name: "pose_frames",
  classification: "biometric",
  scope: "lake",
  doc: "One skeleton per row (COCO-17, sideline.pose.v1): the keypoints of one subject in one camera frame, in the image's pixels (x right, y down from the top-left corner).",
  columns: [
    col("match_id", "string", "Match identifier."),
    col("subject_id", "string", "The player id, or track:<id> for an unnamed track: the partition key's second part."),
    optCol("player_id", "string", "Player identifier, when the frame's metadata names him."),
    optCol("track_id", "string", "The detector's track, when no player is named."),
    optCol("team", "string", "Team identifier, when known."),
    col("camera_id", "string", "The camera."),
    col("t", "timestamp", "Frame time, UTC."),
    optCol("frame_index", "bigint", "The frame's index in its video, to find it in the raw archive."),
    col("image_width", "int", "Width of the camera image the pixels refer to."),
    col("image_height", "int", "Height of the camera image."),
    col("model_id", "string", "The pose model, e.g. movenet-lightning."),
    col("model_version", "string", "The model's version."),
    optCol("bbox_x", "double", "The subject's box: left, pixels."),
    optCol("bbox_y", "double", "The subject's box: top, pixels."),
    optCol("bbox_w", "double", "The subject's box: width, pixels."),
    optCol("bbox_h", "double", "The subject's box: height, pixels."),
    col("keypoints_found", "int", "Keypoints found (0-17)."),
    optCol("mean_score", "double", "Mean score of the keypoints found."),
    ...keypointColumns,
    optCol(
      "keypoints_3d",
      "json",
      "3D keypoints, metres in the camera frame (x right, y down, z forward), COCO-17 order; null when none.",
    ),
  ],
  key: ["match_id", "subject_id", "camera_id", "t"],
  partitionBy: ["match_id", "day(t)"],
  sortBy: ["subject_id", "t"],
});
