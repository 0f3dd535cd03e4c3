/**
 * `sideline run <folders...> --format frames`: what a frame sampler uploads to the raw bucket (each
 * `<name>.jpg` with its `<name>.json` sidecar, sideline.frame.v1) through the same parts as in the
 * cloud. The local pose server (./server.ts) is started on 127.0.0.1 and, for every frame in name
 * order, the pose invoker's own code (lambdas/functions/pose-invoker/invoker.ts) reads the frame
 * through an ObjectReader over the folder, asks HttpPoseEstimator (the server's URL is the only
 * difference from the cloud's endpoint) and hands its sideline.pose.v1 records to a sink that feeds
 * the embedded pipeline's pose stream; pose-biomechanics then writes pose_frames and biomech_windows.
 *
 * Contract with the pipeline (local/pipeline.ts, producers/produce.ts): the source is reader items.
 * - A frame the invoker rejects (FrameRejected: its sidecar missing or invalid, a JPEG that does not
 *   decode, a sidecar that does not fit the image) is a `bad` item: quarantined under
 *   `reader:frames` with the JPEG's path, the invoker's reason, the sidecar's text and the frames it
 *   would have held (one per subject the sidecar names), and the run goes on. So is a frame whose
 *   sidecar names another match than the run's, unless the run relabels (the demo).
 * - Any other failure (the model server, a file that cannot be read) stops the source: the pipeline
 *   drains what was sent and marks nothing final, and `runFramesPipeline` throws it, naming the frame.
 * - Each subject's records are numbered from 0 in the order they are estimated, and his last one
 *   (when the folders were read to the end) is final: the folder is the whole clip, as a file is for
 *   tracking. The sidecars' own seq would leave a gap where a frame was quarantined, and the
 *   sequencer would hold the subject's later frames waiting for it; in the cloud the rejected frame
 *   is in the DLQ and can be redriven, here it cannot.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { HttpPoseEstimator } from "../../lambdas/adapters/local/http-pose-estimator.js";
import { POSE } from "../../lambdas/contracts/modalities.js";
import { frameMetadataSchema } from "../../lambdas/contracts/records/frame.js";
import { POSE_RECORD, type PoseChunk } from "../../lambdas/contracts/records/pose.js";
import {
  FRAME_KEY_SUFFIX,
  FrameRejected,
  type ObjectReader,
  PoseInvoker,
  type PoseModelInfo,
  type PoseRecordSink,
  sidecarKey,
} from "../../lambdas/functions/pose-invoker/invoker.js";
import type { PoseEstimator } from "../../lambdas/ports.js";
import type { ReaderItem } from "../../producers/readers/types.js";
import { type PipelineOptions, type PipelineResult, runPipeline } from "../pipeline.js";
import { MOVENET_MODEL_ID, MOVENET_MODEL_VERSION, MovenetModel } from "./movenet.js";
import { type PoseModelRunner, startPoseServer } from "./server.js";

/** The `--format` value (POSE.readers in lambdas/contracts/modalities.ts). */
export const FRAMES_FORMAT = "frames";

/**
 * Frames counted for a rejected frame whose sidecar names no subjects we can count (missing, not
 * JSON, no subjects array): a sidecar names at least one subject (sideline.frame.v1, `subjects`).
 */
const UNCOUNTABLE_FRAME_SAMPLES = 1;

/** The model the local server runs, as the pose records name it. */
export const LOCAL_POSE_MODEL: PoseModelInfo = { id: MOVENET_MODEL_ID, version: MOVENET_MODEL_VERSION };

/** A folder without its trailing separators, so `s3://<folder>/<key>` maps back to `<folder>/<key>`. */
const folderName = (folder: string) => folder.replace(/\/+$/, "") || "/";

/**
 * The raw bucket on one machine: the bucket is the folder, a key a file name in it; null when the
 * file does not exist (S3's NoSuchKey). Any other read error throws.
 */
export function folderObjects(folder: string): ObjectReader {
  const root = folderName(folder);
  return {
    async get(bucket, key) {
      if (bucket !== root) throw new Error(`this object reader serves the folder '${root}', not '${bucket}'`);
      try {
        return new Uint8Array(await readFile(join(root, key)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
  };
}

/** The frame JPEGs of a folder (not its subfolders'), in name order. */
export async function frameFiles(folder: string): Promise<string[]> {
  return (await readdir(folder, { withFileTypes: true }))
    .filter((d) => d.isFile() && FRAME_KEY_SUFFIX.test(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * Checks each folder before the lake is opened: it exists, is a folder and holds frames. Returns
 * the match of the first valid sidecar in name order (the run's default match), if any.
 */
export async function checkFrameFolders(folders: readonly string[]): Promise<string | undefined> {
  let firstMatch: string | undefined;
  for (const folder of folders) {
    const st = await stat(folder).catch(() => null);
    if (!st) throw new Error(`cannot read '${folder}': no such folder: check the path`);
    if (!st.isDirectory())
      throw new Error(
        `'${folder}' is a file: --format frames takes folders of frames, each <name>.jpg beside its <name>.json sidecar (sideline.frame.v1)`,
      );
    const files = await frameFiles(folder);
    if (files.length === 0)
      throw new Error(
        `folder '${folder}' has no .jpg or .jpeg frames: pass the folder the frame sampler writes (<name>.jpg beside its <name>.json sidecar)`,
      );
    for (const f of files) {
      if (firstMatch !== undefined) break;
      const text = await readFile(join(folder, sidecarKey(f)), "utf8").catch(() => null);
      const meta = text === null ? null : sidecarSummary(text);
      if (meta?.valid) firstMatch = meta.matchId;
    }
  }
  return firstMatch;
}

/** What a sidecar says, read leniently: enough to check its match and count a rejected frame. */
function sidecarSummary(text: string): { valid: boolean; matchId: string | undefined; subjects: number } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { valid: false, matchId: undefined, subjects: UNCOUNTABLE_FRAME_SAMPLES };
  }
  const o = (json ?? {}) as { match_id?: unknown; subjects?: unknown };
  const subjects = Array.isArray(o.subjects) && o.subjects.length > 0 ? o.subjects.length : UNCOUNTABLE_FRAME_SAMPLES;
  return {
    valid: frameMetadataSchema.safeParse(json).success,
    matchId: typeof o.match_id === "string" ? o.match_id : undefined,
    subjects,
  };
}

export interface FramesSourceOptions {
  /** The pose model behind the local server. */
  readonly estimator: PoseEstimator;
  readonly model: PoseModelInfo;
  /** The run's match. */
  readonly matchId: string;
  /**
   * Give every record the run's match (the demo: the folder is filmed in its match).
   * @default false - a frame whose sidecar names another match is quarantined
   */
  readonly relabel?: boolean;
}

/** The frames of some folders as reader items; see the module comment. */
export class FramesSource {
  /** Set when a failure other than a rejected frame (the model server's, a read error) stopped the items, which then throw it. */
  failure: Error | null = null;

  constructor(
    private readonly folders: readonly string[],
    private readonly options: FramesSourceOptions,
  ) {}

  async *items(): AsyncGenerator<ReaderItem> {
    try {
      yield* this.frames();
    } catch (e) {
      this.failure = new Error(
        `${(e as Error).message}: the run stopped there; fix that and run the folders again (the rerun replaces the rows)`,
        { cause: e },
      );
      throw this.failure;
    }
  }

  private async *frames(): AsyncGenerator<ReaderItem> {
    const { matchId, relabel = false } = this.options;
    // Each subject's latest record waits for his next one, so the last can be marked final.
    const latest = new Map<string, PoseChunk>();
    const nextSeq = new Map<string, number>();
    for (const given of this.folders) {
      const folder = folderName(given);
      const objects = folderObjects(folder);
      const estimated: PoseChunk[] = [];
      const sink: PoseRecordSink = {
        put: async (r) => {
          estimated.push(r);
        },
        flush: async () => undefined,
      };
      const invoker = new PoseInvoker({
        objects,
        estimator: this.options.estimator,
        records: sink,
        model: this.options.model,
      });
      // The invoker names objects s3://<bucket>/<key>; here the bucket is the folder.
      const local = (message: string) => message.split(`s3://${folder}/`).join(`${folder}/`);
      for (const name of await frameFiles(folder)) {
        const path = join(folder, name);
        const sidecarBytes = await objects.get(folder, sidecarKey(name));
        const sidecar = sidecarBytes === null ? "" : Buffer.from(sidecarBytes).toString("utf8");
        const meta = sidecarSummary(sidecar);
        const bad = (reason: string): ReaderItem => ({
          kind: "bad",
          ref: path,
          reason,
          payload: sidecar,
          samples: meta.subjects,
        });
        if (!relabel && meta.valid && meta.matchId !== matchId) {
          yield bad(
            `frame ${path}: its sidecar names match '${meta.matchId}', not this run's '${matchId}': run each match's frames on their own`,
          );
          continue;
        }
        estimated.length = 0;
        try {
          await invoker.frame(folder, name);
        } catch (e) {
          if (e instanceof FrameRejected) {
            yield bad(local(e.message));
            continue;
          }
          throw new Error(local((e as Error).message), { cause: e });
        }
        for (const r of estimated) {
          const { final: _final, ...record } = relabel ? { ...r, match_id: matchId } : r;
          const key = POSE_RECORD.identity(record).partitionKey;
          const seq = nextSeq.get(key) ?? 0;
          nextSeq.set(key, seq + 1);
          const before = latest.get(key);
          latest.set(key, { ...record, seq });
          if (before) yield { kind: "record", record: before };
        }
      }
    }
    for (const r of latest.values()) yield { kind: "record", record: { ...r, final: true } };
  }
}

export interface FramesRunOptions extends PipelineOptions {
  readonly folders: readonly string[];
  /** See FramesSourceOptions.relabel. @default false */
  readonly relabel?: boolean;
  /** What the local server runs. @default MoveNet Lightning from node_modules */
  readonly poseModel?: PoseModelRunner;
}

/**
 * Runs folders of frames through the local pose server and the embedded pipeline. The server is
 * closed when the run ends, also when it fails. Throws the failure that stopped the frames (the
 * model server's, naming the frame) after the pipeline has drained what was sent before it.
 */
export async function runFramesPipeline(options: FramesRunOptions): Promise<PipelineResult> {
  const { folders, relabel, poseModel, ...pipeline } = options;
  const model = poseModel ?? (await MovenetModel.load());
  const server = await startPoseServer({ model });
  try {
    const source = new FramesSource(folders, {
      estimator: new HttpPoseEstimator(server.url),
      model: LOCAL_POSE_MODEL,
      matchId: pipeline.matchId,
      ...(relabel === undefined ? {} : { relabel }),
    });
    const result = await runPipeline({ items: source.items(), modality: POSE.id }, pipeline);
    if (source.failure) throw source.failure;
    return result;
  } finally {
    await server.close();
  }
}
