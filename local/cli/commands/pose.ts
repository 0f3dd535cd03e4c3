/** `sideline pose <images or folders...>`: the skeletons in images, as the pipeline estimates them. */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import sharp from "sharp";
import { decodeImage, type Skeleton } from "../../../lambdas/adapters/pose-crops.js";
import { COCO17 } from "../../../lambdas/contracts/records/pose.js";
import { assertBox, type Box } from "../../../lambdas/core/pose/crops.js";
import { LocalPose } from "../../pose/local-pose.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { printable } from "../terminal.js";

export const name = "pose";
export const synopsis = "pose <images or folders...>";
export const summary = "estimate the skeletons (COCO-17 keypoints) of the people in images";

export const options = { format: { type: "string" }, boxes: { type: "string" } } as const;

/** The image files a folder contributes (not its subfolders'). */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp"] as const;

const FORMATS = ["table", "json"] as const;
type Format = (typeof FORMATS)[number];

export const help = `usage: sideline pose <images or folders...> [options]

Finds the people in each image and estimates their skeletons with MoveNet Lightning, in this
process and through the same request contract as the pipeline's SageMaker endpoint. A folder
stands for its ${IMAGE_EXTENSIONS.join(", ")} files (not its subfolders'), in name order. Each person
is cropped from his own box, so someone behind another is still estimated when his box is given.
Boxes come from the CenterNet person detector, or from --boxes.

pose options:
  --format F                table (default): one line per keypoint of each person;
                            json: a JSON array, one object per person:
                            {"image_file": "<name as given>", "bbox": [x, y, w, h],
                             "keypoints": [[x, y, score], ... 17]}
                            in COCO-17 order (nose, eyes, ears, shoulders, elbows, wrists, hips,
                            knees, ankles; left before right), in the image's pixels (x right, y down
                            from its top-left corner). All 17 keypoints are always given: the score
                            (0..1) says how sure the model is (the pipeline drops those below 0.2)
  --boxes FILE              the people's boxes instead of the detector's: a JSON array of
                            {"image_file": "...", "bbox": [x, y, w, h]} (the json output's shape;
                            other fields are ignored). image_file is the image's name as given here,
                            or its file name; an image without boxes gets no skeletons

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

/** One image to read: its name as the output gives it, and its path. */
interface ImageInput {
  readonly name: string;
  readonly path: string;
}

/** One person in the output. */
export interface PersonOutput {
  readonly image_file: string;
  readonly bbox: [number, number, number, number];
  readonly keypoints: [number, number, number][];
}

const quoted = (s: string) => `'${printable(s)}'`;

/** The images named on the command line, each checked to exist and to be an image, before the model loads. */
async function imageInputs(args: readonly string[]): Promise<ImageInput[]> {
  const out: ImageInput[] = [];
  for (const arg of args) {
    const st = await stat(arg).catch(() => null);
    if (!st) throw new Error(`${quoted(arg)} does not exist: check the path`);
    if (st.isDirectory()) {
      const files = (await readdir(arg, { withFileTypes: true }))
        .filter((d) => d.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(extname(d.name).toLowerCase()))
        .map((d) => d.name)
        .sort();
      if (files.length === 0)
        throw new Error(
          `folder ${quoted(arg)} has no ${IMAGE_EXTENSIONS.join(", ")} files: pass images, or a folder of them`,
        );
      out.push(...files.map((f) => ({ name: join(arg, f), path: join(arg, f) })));
    } else out.push({ name: arg, path: arg });
  }
  for (const img of out) {
    try {
      await sharp(img.path).metadata();
    } catch (e) {
      throw new Error(
        `${quoted(img.name)} is not an image sharp can read (${(e as Error).message.split("\n")[0]}): pass JPEG, PNG or WebP files`,
      );
    }
  }
  return out;
}

/** --boxes FILE: boxes per image name, every entry checked, every image it names among the inputs. */
async function boxesFile(file: string, images: readonly ImageInput[]): Promise<Map<string, Box[]>> {
  const where = `--boxes ${quoted(file)}`;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new Error(
      `${where}: ${(e as Error).message.split("\n")[0]}: it must be a JSON array of {"image_file", "bbox"}`,
    );
  }
  if (!Array.isArray(json)) throw new Error(`${where} must be a JSON array of {"image_file", "bbox": [x, y, w, h]}`);
  const byName = new Map(images.map((i) => [i.name, i.name]));
  const byBase = new Map<string, string[]>();
  for (const i of images) byBase.set(basename(i.name), [...(byBase.get(basename(i.name)) ?? []), i.name]);
  const out = new Map<string, Box[]>();
  json.forEach((entry, n) => {
    const e = entry as { image_file?: unknown; bbox?: unknown };
    if (typeof e?.image_file !== "string" || !Array.isArray(e.bbox))
      throw new Error(`${where}: entry ${n} needs "image_file" (a string) and "bbox" ([x, y, w, h])`);
    const box = e.bbox as unknown as Box;
    try {
      assertBox(box, "bbox");
    } catch (err) {
      throw new Error(`${where}: entry ${n} (${quoted(e.image_file)}): ${(err as Error).message}`);
    }
    const bases = byBase.get(basename(e.image_file)) ?? [];
    const image = byName.get(e.image_file) ?? (bases.length === 1 ? bases[0] : undefined);
    if (!image)
      throw new Error(
        bases.length > 1
          ? `${where}: entry ${n} names ${quoted(e.image_file)}, which matches ${bases.length} of the images given: use the name as given`
          : `${where}: entry ${n} names ${quoted(e.image_file)}, which is not among the images given: check the name, or add the image`,
      );
    out.set(image, [...(out.get(image) ?? []), box]);
  });
  return out;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

function personOutput(image: string, s: Skeleton): PersonOutput {
  return {
    image_file: image,
    bbox: s.box.map((v) => round(v, 2)) as PersonOutput["bbox"],
    keypoints: s.keypoints.map(([x, y, score]) => [round(x, 2), round(y, 2), round(score, 3)]),
  };
}

function table(people: readonly PersonOutput[], images: number): string {
  if (people.length === 0) return `no people found in ${images} image${images === 1 ? "" : "s"}`;
  const rows = [["image", "person", "bbox", "keypoint", "x", "y", "score"]];
  const counts = new Map<string, number>();
  for (const p of people) {
    const n = (counts.get(p.image_file) ?? 0) + 1;
    counts.set(p.image_file, n);
    p.keypoints.forEach(([x, y, score], k) => {
      rows.push([
        printable(p.image_file),
        String(n),
        p.bbox.map((v) => v.toFixed(1)).join(","),
        COCO17[k]!,
        x.toFixed(1),
        y.toFixed(1),
        score.toFixed(3),
      ]);
    });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const numeric = new Set([1, 4, 5, 6]);
  const line = (r: string[]) =>
    r
      .map((v, c) => (numeric.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length === 0)
    throw new UsageError("pose needs at least one image or folder: sideline pose <images or folders...>");
  const format = (stringValue(values.format) ?? "table") as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`unknown output format '${format}': expected ${FORMATS.join(", ")}`);
  const images = await imageInputs(positionals);
  const boxesPath = stringValue(values.boxes);
  const given = boxesPath === undefined ? null : await boxesFile(boxesPath, images);
  const pose = await LocalPose.open();
  const people: PersonOutput[] = [];
  for (const img of images) {
    const image = await decodeImage(await readFile(img.path)).catch((e: Error) => {
      throw new Error(`${quoted(img.name)} cannot be decoded (${e.message}): is it a whole JPEG, PNG or WebP file?`);
    });
    const boxes = given ? (given.get(img.name) ?? []) : (await pose.detect(image)).map((d) => d.box);
    const skeletons = await pose.skeletons(image, boxes).catch((e: Error) => {
      throw new Error(`${quoted(img.name)}: ${e.message}${given ? ": fix that box in --boxes" : ""}`);
    });
    people.push(...skeletons.map((s) => personOutput(img.name, s)));
  }
  process.stdout.write(`${format === "json" ? JSON.stringify(people) : table(people, images.length)}\n`);
  return EXIT.ok;
}
