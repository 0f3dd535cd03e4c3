/**
 * The picture behind a biomechanics insight, as a self-contained SVG: the player's skeleton in the
 * frame that shows the deviation, with the joints that deviate highlighted, beside the trend of the
 * feature against his baseline. Pure: strings in, a string out.
 */
import { COCO17, type Coco17Name, KP } from "../../contracts/records/pose.js";
import { esc, insightFrame, PICTURE, type TrendSeries, trend, wrap } from "./visuals.js";

/** A COCO-17 keypoint in image pixels (y down), or null where the model found none. */
export type Keypoint = readonly [number, number, number] | null;

/** The limbs drawn between COCO-17 keypoints (the COCO keypoint challenge's skeleton, Lin et al. 2014). */
export const COCO17_LIMBS: readonly (readonly [Coco17Name, Coco17Name])[] = [
  ["left_ankle", "left_knee"],
  ["left_knee", "left_hip"],
  ["right_ankle", "right_knee"],
  ["right_knee", "right_hip"],
  ["left_hip", "right_hip"],
  ["left_shoulder", "left_hip"],
  ["right_shoulder", "right_hip"],
  ["left_shoulder", "right_shoulder"],
  ["left_shoulder", "left_elbow"],
  ["right_shoulder", "right_elbow"],
  ["left_elbow", "left_wrist"],
  ["right_elbow", "right_wrist"],
  ["left_eye", "right_eye"],
  ["nose", "left_eye"],
  ["nose", "right_eye"],
  ["left_eye", "left_ear"],
  ["right_eye", "right_ear"],
];

export interface SkeletonPicture {
  readonly title: string;
  readonly subtitle: string;
  /** The skeleton to draw (COCO-17, image pixels). */
  readonly keypoints: readonly Keypoint[];
  /** Joints to highlight: those the deviating feature is measured on. */
  readonly highlight: readonly Coco17Name[];
  /** Under the skeleton: what it shows, e.g. "frame of the peak: left knee FPPA 17.2 deg". */
  readonly skeletonLabel: string;
  readonly trend: TrendSeries;
}

const BOX = { x: PICTURE.pad, y: 84, w: 300, h: 300 } as const;
/** Characters of the 12 px label that fit under the 300 px skeleton panel. */
const LABEL_CHARS = 46;
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

function skeletonPanel(p: SkeletonPicture): string[] {
  const found = p.keypoints.filter((k): k is readonly [number, number, number] => k !== null);
  const out: string[] = [`<g transform="translate(${BOX.x},${BOX.y})">`];
  out.push(`<rect width="${BOX.w}" height="${BOX.h}" fill="#263238"/>`);
  if (found.length > 0) {
    const xs = found.map((k) => k[0]);
    const ys = found.map((k) => k[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // The same scale on both axes (the image's aspect), fitted with a margin; image y is down, as SVG's.
    const scale = Math.min((BOX.w * 0.8) / Math.max(1, x1 - x0), (BOX.h * 0.8) / Math.max(1, y1 - y0));
    const X = (x: number) => f1(BOX.w / 2 + (x - (x0 + x1) / 2) * scale);
    const Y = (y: number) => f1(BOX.h / 2 + (y - (y0 + y1) / 2) * scale);
    const hot = new Set(p.highlight.map((n) => KP[n]));
    for (const [a, b] of COCO17_LIMBS) {
      const ka = p.keypoints[KP[a]];
      const kb = p.keypoints[KP[b]];
      if (!ka || !kb) continue;
      const red = hot.has(KP[a]) && hot.has(KP[b]);
      out.push(
        `<line x1="${X(ka[0])}" y1="${Y(ka[1])}" x2="${X(kb[0])}" y2="${Y(kb[1])}" stroke="${red ? "#ef5350" : "#b0bec5"}" stroke-width="${red ? 5 : 3}" stroke-linecap="round"/>`,
      );
    }
    p.keypoints.forEach((k, i) => {
      if (!k) return;
      const red = hot.has(i);
      out.push(
        `<circle cx="${X(k[0])}" cy="${Y(k[1])}" r="${red ? 6 : 3.5}" fill="${red ? "#ef5350" : "#eceff1"}"><title>${COCO17[i]} (score ${k[2].toFixed(2)})</title></circle>`,
      );
    });
  } else {
    out.push(`<text x="${BOX.w / 2}" y="${BOX.h / 2}" fill="#eceff1" text-anchor="middle">no keypoints</text>`);
  }
  const label = wrap(p.skeletonLabel, LABEL_CHARS, 2);
  out.push(
    ...label.map((line, i) => `<text x="0" y="${BOX.h + 16 + 15 * i}" font-size="12" fill="#333">${esc(line)}</text>`),
  );
  out.push(
    `<text x="0" y="${BOX.h + 20 + 15 * label.length}" font-size="11" fill="#555">red: the joints the deviating feature is measured on</text>`,
  );
  out.push("</g>");
  return out;
}

export function renderSkeletonInsightSvg(p: SkeletonPicture): string {
  const tx = BOX.x + BOX.w + 48;
  return insightFrame(p.title, p.subtitle, [
    ...skeletonPanel(p),
    ...trend(p.trend, tx, 104, PICTURE.width - tx - PICTURE.pad, 246),
  ]);
}
