/**
 * `sideline pose` through the CLI's main in this process, on images generated here, with the real
 * MoveNet (and CenterNet) weights from node_modules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { COMMANDS } from "../../local/cli/index.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

/** A 160 × 120 scene: grass, and a stick figure drawn in the middle (head, body, arms, legs). */
const FIGURE = `<svg width="160" height="120" xmlns="http://www.w3.org/2000/svg">
  <rect width="160" height="120" fill="#3a7d3a"/>
  <g stroke="#f0d0b0" stroke-width="6" stroke-linecap="round">
    <line x1="80" y1="38" x2="80" y2="72"/><line x1="80" y1="44" x2="64" y2="62"/><line x1="80" y1="44" x2="96" y2="62"/>
    <line x1="80" y1="72" x2="70" y2="104"/><line x1="80" y1="72" x2="90" y2="104"/>
  </g>
  <circle cx="80" cy="28" r="9" fill="#f0d0b0"/>
</svg>`;

let dir: string;
let image: string;
const person = { image_file: "", bbox: [55, 15, 50, 95] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sideline-pose-cli-"));
  image = join(dir, "figure.jpg");
  writeFileSync(image, await sharp(Buffer.from(FIGURE)).jpeg().toBuffer());
  mkdirSync(join(dir, "frames"));
  writeFileSync(join(dir, "frames", "b.png"), await sharp(Buffer.from(FIGURE)).png().toBuffer());
  writeFileSync(join(dir, "frames", "a.jpg"), await sharp(Buffer.from(FIGURE)).jpeg().toBuffer());
  writeFileSync(join(dir, "frames", "notes.txt"), "not an image");
  mkdirSync(join(dir, "empty"));
  writeFileSync(join(dir, "notes.txt"), "not an image");
  person.image_file = image;
  writeFileSync(join(dir, "boxes.json"), JSON.stringify([person]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Person {
  image_file: string;
  bbox: number[];
  keypoints: number[][];
}

describe("sideline pose", () => {
  it("prints one JSON object per box: the image as given, the box, and 17 [x, y, score] in image pixels", async () => {
    // WHEN the figure is estimated from the given box
    const r = await sidelineInProcess("pose", image, "--boxes", join(dir, "boxes.json"), "--format", "json");
    // THEN exit 0, nothing on stderr, and one person
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const people = JSON.parse(r.stdout) as Person[];
    expect(people).toHaveLength(1);
    const [p] = people;
    expect(Object.keys(p!)).toEqual(["image_file", "bbox", "keypoints"]);
    expect(p!.image_file).toBe(image);
    expect(p!.bbox).toEqual([55, 15, 50, 95]);
    // AND always 17 keypoints, each inside the crop the box gives (95 × 1.25 = 119 pixels square around its centre)
    expect(p!.keypoints).toHaveLength(17);
    for (const [x, y, score] of p!.keypoints) {
      expect(x).toBeGreaterThanOrEqual(80 - 60);
      expect(x).toBeLessThanOrEqual(80 + 60);
      expect(y).toBeGreaterThanOrEqual(62.5 - 60);
      expect(y).toBeLessThanOrEqual(62.5 + 60);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it("prints a table of every keypoint of every person by default", async () => {
    const r = await sidelineInProcess("pose", image, "--boxes", join(dir, "boxes.json"));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^image\s+person\s+bbox\s+keypoint\s+x\s+y\s+score$/);
    expect(lines).toHaveLength(2 + 17);
    expect(lines[2]).toMatch(/figure\.jpg\s+1\s+55\.0,15\.0,50\.0,95\.0\s+nose\s+-?\d+\.\d\s+-?\d+\.\d\s+0\.\d{3}$/);
    expect(lines[18]).toContain("right_ankle");
  });

  it("reads a folder's images in name order, matching --boxes by file name", async () => {
    const boxes = join(dir, "frame-boxes.json");
    writeFileSync(
      boxes,
      JSON.stringify([
        { image_file: "b.png", bbox: [55, 15, 50, 95] },
        { image_file: "a.jpg", bbox: [55, 15, 50, 95] },
      ]),
    );
    const r = await sidelineInProcess("pose", join(dir, "frames"), "--boxes", boxes, "--format", "json");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Person[]).map((p) => p.image_file)).toEqual([
      join(dir, "frames", "a.jpg"),
      join(dir, "frames", "b.png"),
    ]);
  });

  it("finds people with the detector when no boxes are given, each with 17 keypoints", async () => {
    const r = await sidelineInProcess("pose", image, "--format", "json");
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const people = JSON.parse(r.stdout) as Person[];
    expect(Array.isArray(people)).toBe(true);
    for (const p of people) {
      expect(p.image_file).toBe(image);
      expect(p.bbox).toHaveLength(4);
      expect(p.keypoints).toHaveLength(17);
    }
  });

  it.each([
    [["missing.jpg"], 1, "sideline: error: 'missing.jpg' does not exist: check the path\n"],
    [
      ["notes.txt"],
      1,
      /^sideline: error: 'notes\.txt' is not an image sharp can read \(.*\): pass JPEG, PNG or WebP files\n$/,
    ],
    [
      ["empty"],
      1,
      "sideline: error: folder 'empty' has no .jpg, .jpeg, .png, .webp files: pass images, or a folder of them\n",
    ],
    [
      ["figure.jpg", "--boxes", "missing.json"],
      1,
      /^sideline: error: --boxes 'missing\.json': ENOENT.*: it must be a JSON array of \{"image_file", "bbox"\}\n$/,
    ],
    [
      ["figure.jpg", "--format", "csv"],
      2,
      "sideline: error: unknown output format 'csv': expected table, json\nrun 'sideline help pose' for usage\n",
    ],
    [
      [],
      2,
      "sideline: error: pose needs at least one image or folder: sideline pose <images or folders...>\nrun 'sideline help pose' for usage\n",
    ],
  ])("refuses %j, naming the file and what to do (exit %i)", async (args, code, message) => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await sidelineInProcess("pose", ...args);
      expect(r.code).toBe(code);
      if (typeof message === "string") expect(r.stderr).toBe(message);
      else expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([
    [
      [{ image_file: "other.jpg", bbox: [1, 1, 5, 5] }],
      "entry 0 names 'other.jpg', which is not among the images given: check the name, or add the image",
    ],
    [
      [{ image_file: "figure.jpg", bbox: [1, 1, 0, 5] }],
      "entry 0 ('figure.jpg'): bbox must have a positive width and height, got [1,1,0,5]",
    ],
    [{ "figure.jpg": [1, 1, 5, 5] }, `must be a JSON array of {"image_file", "bbox": [x, y, w, h]}`],
  ])("refuses a --boxes file that is wrong, naming the entry: %j", async (content, message) => {
    const boxes = join(dir, "bad-boxes.json");
    writeFileSync(boxes, JSON.stringify(content));
    const r = await sidelineInProcess("pose", image, "--boxes", boxes);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sideline: error: --boxes '${boxes}'${message.startsWith("must") ? " " : ": "}${message}\n`);
  });

  it("names the image and the box when a box lies outside the image", async () => {
    const boxes = join(dir, "outside.json");
    writeFileSync(boxes, JSON.stringify([{ image_file: image, bbox: [500, 0, 10, 10] }]));
    const r = await sidelineInProcess("pose", image, "--boxes", boxes);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `sideline: error: '${image}': box 0 [500, 0, 10, 10]: lies outside the 160×120 image: fix that box in --boxes\n`,
    );
  });

  it("is listed in the help with its options", () => {
    const pose = COMMANDS.find((c) => c.name === "pose")!;
    expect(pose.synopsis).toBe("pose <images or folders...>");
    expect(Object.keys(pose.options).sort()).toEqual(["boxes", "format"]);
  });
});
