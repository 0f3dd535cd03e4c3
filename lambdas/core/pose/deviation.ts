/**
 * "Player Biomechanics Deviation": a closed window's feature leaves the player's own baseline, his
 * earlier windows in the same match, by more than the larger of k·SD and the feature's minimal
 * detectable change, on consecutive judged windows.
 *
 * Watched features, and why:
 * - knee FPPA peak, left and right: dynamic knee valgus is the 2D screening marker for ACL and
 *   patellofemoral risk that Munro, Herrington & Carolan (2012) validated for reliability, and they
 *   give its smallest detectable difference, so a change beyond it is not measurement error;
 * - trunk lean peak: lateral trunk motion adds to knee abduction load (Dingenen et al. 2014, Phys
 *   Ther Sport 15:117-123, measured it reliably in 2D, ICC 0.98-1.00) and a new lean is a common
 *   compensation for pain or fatigue.
 * Knee-flexion symmetry and step-time asymmetry are in every window but not watched: no source we
 * have gives their minimal detectable change for 2D video, and in 2D both depend on the view.
 *
 * The baseline is the player's own, so a systematic view effect of his camera largely cancels. A
 * window outside the margin never joins the baseline: a lasting change keeps firing once per
 * cool-down instead of becoming the new normal. Windows where the player was not seen enough, or
 * the feature was not computable, are not judged and leave the run as it was.
 *
 * Known limits, for every explanation: 2D angles depend on the camera's view; a change of task
 * (jogging, cutting, jumping) changes peaks too; the finding says a player moves differently from
 * earlier in the match, which staff interpret.
 */

/** The insight's name on the bus. */
export const DEVIATION_INSIGHT = "Player Biomechanics Deviation";
/**
 * Earlier judged windows the baseline needs before a window is judged: ten (ten minutes at the
 * default 60 s window), enough for a first SD. Sideline rule; the fatigue rule asks 15 minutes.
 */
export const DEVIATION_MIN_BASELINE_WINDOWS = 10;
/** Margin in baseline SDs: 2, the two-sided 95% limit of a normal baseline (z = 1.96), rounded. */
export const DEVIATION_SD_MULTIPLIER = 2;
/**
 * Knee FPPA minimal detectable change, degrees: the largest smallest-detectable-difference Munro,
 * Herrington & Carolan (2012, J Sport Rehabil 21:7-11) report for 2D FPPA (7.54°-8.93° across
 * single-leg squat, single-leg landing and drop jump; SEM 2.72°-3.01°). The largest covers every task.
 */
export const KNEE_FPPA_MDC_DEG = 8.93;
/**
 * Trunk lean margin floor, degrees. No MDC for 2D lateral trunk lean is published in the sources we
 * have (Dingenen et al. 2014 give ICCs only), so the floor borrows the smallest 2D frontal-plane angle
 * SDD of Munro et al. (2012), 7.54°: both are angles between points placed in one image plane.
 */
export const TRUNK_LEAN_MIN_MARGIN_DEG = 7.54;
/** Consecutive judged windows outside the margin before it fires: 2, as the fatigue rule's noise guard. */
export const DEVIATION_PERSISTENCE = 2;
/** After firing, the same feature of the same player is quiet this long: 30 min, as the fatigue rule. */
export const DEVIATION_COOLDOWN_MS = 30 * 60_000;
/**
 * A window is judged only with at least this much complete-lower-body video: 5 s, a few strides
 * (a running stride takes about 0.7 s), so one glimpse of the player does not set a peak. Sideline rule.
 */
export const DEVIATION_MIN_VALID_S = 5;
/** Windows kept in each feature's trend (the explanation's picture): two hours at 60 s. */
export const DEVIATION_TREND_WINDOWS = 120;

export type DeviationFeatureName = "knee_fppa_peak_left_deg" | "knee_fppa_peak_right_deg" | "trunk_lean_peak_deg";

export interface DeviationFeatureSpec {
  readonly name: DeviationFeatureName;
  readonly label: string;
  readonly unit: "deg";
  /** The margin's floor: the feature's minimal detectable change, where a source gives one. */
  readonly minMargin: number;
  readonly minMarginSource: string;
}

export const DEVIATION_FEATURES: readonly DeviationFeatureSpec[] = [
  {
    name: "knee_fppa_peak_left_deg",
    label: "peak knee valgus (FPPA), left",
    unit: "deg",
    minMargin: KNEE_FPPA_MDC_DEG,
    minMarginSource: "MDC of 2D FPPA, Munro, Herrington & Carolan 2012",
  },
  {
    name: "knee_fppa_peak_right_deg",
    label: "peak knee valgus (FPPA), right",
    unit: "deg",
    minMargin: KNEE_FPPA_MDC_DEG,
    minMarginSource: "MDC of 2D FPPA, Munro, Herrington & Carolan 2012",
  },
  {
    name: "trunk_lean_peak_deg",
    label: "peak trunk lean",
    unit: "deg",
    minMargin: TRUNK_LEAN_MIN_MARGIN_DEG,
    minMarginSource: "smallest 2D frontal-plane angle SDD, Munro, Herrington & Carolan 2012 (no trunk MDC published)",
  },
];

/** What the rule reads from one closed window. */
export interface DeviationInput {
  readonly start: number;
  readonly end: number;
  /** Seconds of video with the complete lower body (valid frames / frame rate). */
  readonly validS: number;
  readonly features: Readonly<Record<DeviationFeatureName, number | null>>;
}

interface FeatureState {
  /** Welford running statistics of the baseline windows. */
  n: number;
  mean: number;
  m2: number;
  firstStart: number | null;
  lastEnd: number | null;
  /** Consecutive judged windows outside the margin, and their direction. */
  run: number;
  runDir: 1 | -1 | 0;
  lastFiredAt: number | null;
  /** The last DEVIATION_TREND_WINDOWS values, aligned with DeviationState.starts. */
  trend: (number | null)[];
}

export interface DeviationState {
  /** Window starts of the trend, oldest first. */
  starts: number[];
  features: Record<DeviationFeatureName, FeatureState>;
}

const newFeatureState = (): FeatureState => ({
  n: 0,
  mean: 0,
  m2: 0,
  firstStart: null,
  lastEnd: null,
  run: 0,
  runDir: 0,
  lastFiredAt: null,
  trend: [],
});

export const newDeviationState = (): DeviationState => ({
  starts: [],
  features: {
    knee_fppa_peak_left_deg: newFeatureState(),
    knee_fppa_peak_right_deg: newFeatureState(),
    trunk_lean_peak_deg: newFeatureState(),
  },
});

export interface DeviationFinding {
  readonly insight: typeof DEVIATION_INSIGHT;
  readonly feature: DeviationFeatureName;
  readonly label: string;
  readonly unit: "deg";
  readonly value: number;
  readonly direction: "above" | "below";
  /** The player's own baseline: his earlier windows within the margin. */
  readonly baseline: {
    readonly mean: number;
    readonly sd: number;
    readonly count: number;
    readonly firstStart: number;
    readonly lastEnd: number;
  };
  /** max(k·SD, minMargin), and which of the two set it. */
  readonly margin: number;
  readonly marginBasis: "sd" | "mdc";
  readonly sdMultiplier: number;
  readonly minMargin: number;
  readonly minMarginSource: string;
  /** The bound the value crossed: baseline mean ± margin. */
  readonly threshold: number;
  readonly window: { readonly start: number; readonly end: number };
  /** Consecutive judged windows outside the margin, this one included. */
  readonly consecutive: number;
  /** The feature per window, oldest first, this window last: the explanation's picture. */
  readonly trend: readonly { readonly start: number; readonly value: number | null }[];
}

function addToBaseline(f: FeatureState, value: number, w: DeviationInput): void {
  f.n++;
  const d = value - f.mean;
  f.mean += d / f.n;
  f.m2 += d * (value - f.mean);
  f.firstStart ??= w.start;
  f.lastEnd = w.end;
}

/** Feeds one closed window, in time order; returns the findings it fires (one per feature at most). */
export function stepDeviation(state: DeviationState, w: DeviationInput): DeviationFinding[] {
  state.starts.push(w.start);
  const drop = state.starts.length > DEVIATION_TREND_WINDOWS ? state.starts.length - DEVIATION_TREND_WINDOWS : 0;
  if (drop > 0) state.starts.splice(0, drop);
  const judged = w.validS >= DEVIATION_MIN_VALID_S;
  const out: DeviationFinding[] = [];
  for (const spec of DEVIATION_FEATURES) {
    const f = state.features[spec.name];
    const value = w.features[spec.name];
    f.trend.push(value);
    if (drop > 0) f.trend.splice(0, drop);
    if (!judged || value === null) continue;
    if (f.n < DEVIATION_MIN_BASELINE_WINDOWS) {
      addToBaseline(f, value, w);
      continue;
    }
    const sd = Math.sqrt(f.m2 / (f.n - 1));
    const bySd = DEVIATION_SD_MULTIPLIER * sd;
    const margin = Math.max(bySd, spec.minMargin);
    const dir = value > f.mean + margin ? 1 : value < f.mean - margin ? -1 : 0;
    if (dir === 0) {
      addToBaseline(f, value, w);
      f.run = 0;
      f.runDir = 0;
      continue;
    }
    f.run = f.runDir === dir ? f.run + 1 : 1;
    f.runDir = dir;
    if (f.run < DEVIATION_PERSISTENCE) continue;
    if (f.lastFiredAt !== null && w.end - f.lastFiredAt < DEVIATION_COOLDOWN_MS) continue;
    f.lastFiredAt = w.end;
    out.push({
      insight: DEVIATION_INSIGHT,
      feature: spec.name,
      label: spec.label,
      unit: spec.unit,
      value,
      direction: dir === 1 ? "above" : "below",
      baseline: { mean: f.mean, sd, count: f.n, firstStart: f.firstStart!, lastEnd: f.lastEnd! },
      margin,
      marginBasis: bySd >= spec.minMargin ? "sd" : "mdc",
      sdMultiplier: DEVIATION_SD_MULTIPLIER,
      minMargin: spec.minMargin,
      minMarginSource: spec.minMarginSource,
      threshold: f.mean + dir * margin,
      window: { start: w.start, end: w.end },
      consecutive: f.run,
      trend: state.starts.map((start, i) => ({ start, value: f.trend[i] ?? null })),
    });
  }
  return out;
}
