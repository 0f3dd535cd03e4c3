/**
 * Pose JSONL: one `sideline.pose.v1` record per line (what an edge device that estimates pose itself
 * sends, or a replay of a pose stream). Each line is validated against the pose record contract; a
 * line that is not JSON or not a valid record is quarantined with its line and the reason, counting
 * the frames it seems to hold.
 */
import { POSE_RECORD } from "../../lambdas/contracts/records/pose.js";
import { InputError } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";
import type { ReaderItem } from "./types.js";

export async function* readPoseJsonl(path: string): AsyncGenerator<ReaderItem> {
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    if (lineNo === 1 && looksBinary(line))
      throw new InputError(
        path,
        0,
        "binary data, not a pose-jsonl text file",
        "pass JSON lines of sideline.pose.v1 records",
      );
    const bad = (reason: string, samples: number): ReaderItem => ({
      kind: "bad",
      ref: `${path}:${lineNo}`,
      reason,
      payload: line,
      samples,
    });
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      yield bad(`not JSON: ${(e as Error).message}`, 0);
      continue;
    }
    const parsed = POSE_RECORD.parse(json);
    if (parsed.ok) yield { kind: "record", record: parsed.record };
    else yield bad(parsed.reason, POSE_RECORD.salvage(json).samples);
  }
}
