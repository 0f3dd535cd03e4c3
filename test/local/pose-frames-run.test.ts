/**
 * `sideline run <folder> --format frames`: a frame sampler's folder (JPEGs generated here with sharp,
 * sidecars written here) through the local pose server with the real MoveNet weights, the pose
 * invoker's code, kinesalite, pose-biomechanics and the lake; bad frames quarantined and counted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { COCO17 } from "../../lambdas/contracts/records/pose.js";
import { runFramesPipeline } from "../../local/pose/frames-source.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

const WIDTH = 160;
const HEIGHT = 120;
/** Pixels the figure moves right from one frame to the next, so each frame's keypoints differ. */
const STEP_PX = 4;

/** A 160 × 120 scene: grass, and a stick figure (head, body, arms, legs) shifted `dx` pixels right. */
const figure = (dx: number) => `<svg width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="#3a7d3a"/>
  <g transform="translate(${dx} 0)">
    <g stroke="#f0d0b0" stroke-width="6" stroke-linecap="round">
      <line x1="70" y1="38" x2="70" y2="72"/><line x1="70" y1="44" x2="54" y2="62"/><line x1="70" y1="44" x2="86" y2="62"/>
      <line x1="70" y1="72" x2="60" y2="104"/><line x1="70" y1="72" x2="80" y2="104"/>
    </g>
    <circle cx="70" cy="28" r="9" fill="#f0d0b0"/>
  </g>
</svg>`;

/** The figure's box in frame `i`: its limbs and head with a margin. */
const boxOf = (i: number): [number, number, number, number] => [42 + i * STEP_PX, 12, 56, 100];

const T0 = Date.parse("2026-05-16T15:20:00Z");
/** 5 fps: a frame sampler's rate. */
const FRAME_MS = 200;

function sidecar(i: number, overrides: Record<string, unknown> = {}) {
  return {
    schema: "sideline.frame.v1",
    match_id: "m-frames",
    camera_id: "touchline-cam-1",
    t: T0 + i * FRAME_MS,
    frame_index: i,
    image: { width: WIDTH, height: HEIGHT },
    subjects: [{ player_id: "home_7", team: "home", seq: i, bbox: boxOf(i), ...(i === 6 ? { final: true } : {}) }],
    ...overrides,
  };
}

let dir: string;
let frames: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sideline-frames-"));
  frames = join(dir, "frames");
  mkdirSync(frames);
  const name = (i: number) => String(i).padStart(5, "0");
  for (let i = 0; i < 7; i++) {
    writeFileSync(
      join(frames, `${name(i)}.jpg`),
      await sharp(Buffer.from(figure(i * STEP_PX)))
        .jpeg()
        .toBuffer(),
    );
    writeFileSync(join(frames, `${name(i)}.json`), JSON.stringify(sidecar(i)));
  }
  // Frame 1: a box with a negative width. Frame 3: bytes that are no JPEG, with a valid sidecar.
  const badBox = sidecar(1);
  badBox.subjects[0]!.bbox = [46, 12, -56, 100];
  writeFileSync(join(frames, "00001.json"), JSON.stringify(badBox));
  writeFileSync(join(frames, "00003.jpg"), "not a jpeg: the sampler's upload was cut short");
  // Frame 6: a good frame of another match.
  writeFileSync(join(frames, "00006.json"), JSON.stringify(sidecar(6, { match_id: "m-other" })));
  // A folder whose frame the model server fails on.
  mkdirSync(join(dir, "one"));
  writeFileSync(
    join(dir, "one", "00000.jpg"),
    await sharp(Buffer.from(figure(0)))
      .jpeg()
      .toBuffer(),
  );
  writeFileSync(join(dir, "one", "00000.json"), JSON.stringify(sidecar(0)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Listening servers of this process (kinesalite's, the pose server's, ...), once the handles closed
 * before this call are released: a server's close callback runs before libuv's close phase, so two
 * turns of the event loop are waited for.
 */
async function listening(): Promise<number> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
}

describe("sideline run --format frames", () => {
  it("estimates every good frame into pose_frames, quarantines the bad ones with file and reason, balances, and closes the pose server", async () => {
    // GIVEN seven frames of home_7: frame 1 with an invalid sidecar, frame 3 not a JPEG, frame 6 of another match
    const lake = join(dir, "lake.duckdb");
    const serversBefore = await listening();

    // WHEN the folder is run (3 of 7 are bad: the share limit is raised)
    const r = await sidelineInProcess(
      "run",
      frames,
      "--format",
      "frames",
      "--lake",
      lake,
      "--max-quarantine-share",
      "0.5",
      "--quiet",
    );

    // THEN exit 0, the match named from the sidecars, and count in = rows accounted + quarantined
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("match m-frames (pose)");
    expect(r.stdout).toContain(
      "Accounting: 7 samples in = 4 in biomech_windows + 3 quarantined  (balanced, 42.9% quarantined)",
    );
    // AND the pose server and kinesalite are closed
    expect(await listening()).toBe(serversBefore);
    const db = await DuckDbLake.open(lake, { readOnly: true });
    try {
      // AND the three bad frames are quarantined under reader:frames, naming the file and the reason
      const q = await db.queryObjects<{ source: string; record_ref: string; sample_count: number; reason: string }>(
        "SELECT source, record_ref, sample_count, reason FROM quarantine ORDER BY record_ref",
      );
      expect(q.map(({ reason: _r, ...row }) => row)).toEqual([
        { source: "reader:frames", record_ref: join(frames, "00001.jpg"), sample_count: 1 },
        { source: "reader:frames", record_ref: join(frames, "00003.jpg"), sample_count: 1 },
        { source: "reader:frames", record_ref: join(frames, "00006.jpg"), sample_count: 1 },
      ]);
      expect(q[0]!.reason).toBe(
        `frame ${join(frames, "00001.jpg")}: its sidecar 00001.json is invalid: subjects.0.bbox.2: Too small: expected number to be >0`,
      );
      expect(q[1]!.reason).toMatch(new RegExp(`^frame ${join(frames, "00003.jpg")}: the JPEG cannot be decoded: `));
      expect(q[2]!.reason).toBe(
        `frame ${join(frames, "00006.jpg")}: its sidecar names match 'm-other', not this run's 'm-frames': run each match's frames on their own`,
      );
      // AND the four good frames are in pose_frames, in order, each with keypoints in image pixels inside its box
      const cols = COCO17.flatMap((k) => [`${k}_x`, `${k}_y`]).join(", ");
      const rows = await db.queryObjects<Record<string, number | null> & { frame_index: bigint; bbox_x: number }>(
        `SELECT frame_index, bbox_x, bbox_y, bbox_w, bbox_h, keypoints_found, model_id, ${cols}
         FROM pose_frames WHERE match_id = 'm-frames' ORDER BY t`,
      );
      expect(rows.map((f) => f.frame_index)).toEqual([0n, 2n, 4n, 5n]);
      for (const f of rows) {
        expect(f.model_id).toBe("movenet-singlepose-lightning");
        expect([f.bbox_x, f.bbox_y, f.bbox_w, f.bbox_h]).toEqual(boxOf(Number(f.frame_index)));
        expect(f.keypoints_found).toBeGreaterThanOrEqual(12);
        for (const k of COCO17) {
          const [x, y] = [f[`${k}_x`] ?? null, f[`${k}_y`] ?? null];
          if (x === null || y === null) continue;
          expect({ k, x, inside: x >= f.bbox_x! && x <= f.bbox_x! + f.bbox_w! }).toEqual({ k, x, inside: true });
          expect({ k, y, inside: y >= f.bbox_y! && y <= f.bbox_y! + f.bbox_h! }).toEqual({ k, y, inside: true });
        }
      }
      // AND the keypoints follow the figure across the image: they are the image's pixels, not the crop's
      const hipX = (f: Record<string, number | null>) => ((f.left_hip_x ?? 0) + (f.right_hip_x ?? 0)) / 2;
      expect(hipX(rows[3]!) - hipX(rows[0]!)).toBeCloseTo(5 * STEP_PX, -1);
      // AND the subject's window holds the four frames (closed: his last frame is final)
      expect(
        await db.queryObjects("SELECT subject_id, camera_id, frames FROM biomech_windows WHERE match_id = 'm-frames'"),
      ).toEqual([{ subject_id: "home_7", camera_id: "touchline-cam-1", frames: 4 }]);
    } finally {
      db.close();
    }
  }, 30_000);

  it("fails the run, naming the frame, when the model server fails, and still closes it", async () => {
    // GIVEN a model that fails on every request
    const serversBefore = await listening();
    const failing = { infer: async () => Promise.reject(new Error("out of GPU memory")) };
    // WHEN a folder is run against it
    const run = runFramesPipeline({
      folders: [join(dir, "one")],
      poseModel: failing,
      matchId: "m-frames",
      lakePath: ":memory:",
      readerSource: "reader:frames",
      automation: false,
    });
    // THEN the error names the frame, the server and the model's reason, and no server is left open
    await expect(run).rejects.toThrow(
      new RegExp(
        `^frame ${join(dir, "one", "00000.jpg")}: pose estimation failed: the local pose server at http://127\\.0\\.0\\.1:\\d+/invocations answered 500: .*out of GPU memory`,
      ),
    );
    expect(await listening()).toBe(serversBefore);
  }, 30_000);

  it("sideline demo --pose-frames puts the folder's frames in the demo's match, after the match", async () => {
    // GIVEN a one-minute demo without its synthetic clip or its training week's devices
    const lake = join(dir, "demo.duckdb");
    // WHEN the frames folder is given
    const r = await sidelineInProcess(
      "demo",
      "--minutes",
      "1",
      "--pose-minutes",
      "0",
      "--training-days",
      "0",
      "--pose-frames",
      frames,
      "--lake",
      lake,
      "--max-quarantine-share",
      "0.5",
      "--quiet",
    );
    // THEN both runs balance, and the five good frames are the demo match's, whatever match their sidecars name
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("match demo-7 (pose)");
    expect(r.stdout).toContain("7 samples in = 5 in biomech_windows + 2 quarantined");
    const db = await DuckDbLake.open(lake, { readOnly: true });
    try {
      expect(await db.queryObjects("SELECT match_id, count(*) AS n FROM pose_frames GROUP BY match_id")).toEqual([
        { match_id: "demo-7", n: 5n },
      ]);
    } finally {
      db.close();
    }
  }, 30_000);

  it.each([
    [
      ["--target", "aws", "--stream", "sideline-pose-dev"],
      2,
      /^sideline: error: --format frames runs the local pose server, not the cloud's: with --target aws, upload/,
    ],
    [["--kickoff", "2026-05-16T15:00:00Z"], 2, /--kickoff is for metrica files only: frames carries its own times/],
  ])("refuses %j before anything runs (exit %i)", async (args, code, message) => {
    const r = await sidelineInProcess("run", frames, "--format", "frames", ...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ["a missing folder", () => join(dir, "missing"), "no such folder: check the path"],
    ["a file", () => join(frames, "00000.jpg"), "is a file: --format frames takes folders of frames"],
    ["a folder without frames", () => dir, "has no .jpg or .jpeg frames"],
  ])("refuses %s before the lake is opened (exit 1)", async (_what, path, message) => {
    const lake = join(dir, "never.duckdb");
    const r = await sidelineInProcess("run", path(), "--format", "frames", "--lake", lake);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });
});
