/**
 * Savitzky-Golay smoothing with polynomial order 1, generalised to irregular timestamps.
 *
 * Savitzky & Golay (1964) fit a polynomial by least squares to each window of samples and take its
 * value at the window centre. For order 1 on evenly spaced samples this is the centred moving
 * average (every coefficient is 1/window). Sideline never assumes a fixed rate, so it fits the line
 * against the samples' actual times; on evenly spaced data the result equals scipy's
 * `savgol_filter(v, 7, 1)`, including its default `mode="interp"` edges, where the first and last
 * windows' fitted lines are evaluated at the edge samples.
 */

/** Savitzky-Golay window length in samples (Sideline's tracking spec). */
export const SAVGOL_WINDOW = 7;
/** Savitzky-Golay polynomial order (Sideline's tracking spec). */
export const SAVGOL_ORDER = 1;
export const SAVGOL_HALF = (SAVGOL_WINDOW - 1) / 2;

interface LineFit {
  /** Mean of t - t[from], and of v. */
  mt: number;
  mv: number;
  slope: number;
  t0: number;
}

/** Reused result: the fit runs once per sample in the hot path, so it allocates nothing. */
const FIT: LineFit = { mt: 0, mv: 0, slope: 0, t0: 0 };

/**
 * Least-squares line through `count` samples of a ring, oldest first from index `lo` (sample k in
 * slot k % t.length); times shifted to the first sample's for conditioning. An array is a ring that
 * never wraps, so the streaming engine's rings and the whole-series reference share this arithmetic.
 */
function fitRing(t: ArrayLike<number>, v: ArrayLike<number>, lo: number, count: number): LineFit {
  if (count <= 0) throw new Error(`a line fit needs at least one sample (from=${lo}, count=${count})`);
  const size = t.length;
  const start = lo % size;
  const t0 = t[start]!;
  let st = 0;
  let sv = 0;
  for (let k = 0, i = start; k < count; k++, i = i + 1 === size ? 0 : i + 1) {
    st += t[i]! - t0;
    sv += v[i]!;
  }
  const mt = st / count;
  const mv = sv / count;
  let stt = 0;
  let stv = 0;
  for (let k = 0, i = start; k < count; k++, i = i + 1 === size ? 0 : i + 1) {
    const dt = t[i]! - t0 - mt;
    stt += dt * dt;
    stv += dt * (v[i]! - mv);
  }
  FIT.mt = mt;
  FIT.mv = mv;
  FIT.slope = stt > 0 ? stv / stt : 0;
  FIT.t0 = t0;
  return FIT;
}

/** Least-squares line through (t[i], v[i]) for i in [from, to). */
const fitLine = (t: ArrayLike<number>, v: ArrayLike<number>, from: number, to: number): LineFit =>
  fitRing(t, v, from, to - from);

/** The least-squares line through samples [from, to), evaluated at time `at`. */
export function linearFitAt(t: ArrayLike<number>, v: ArrayLike<number>, from: number, to: number, at: number): number {
  const f = fitLine(t, v, from, to);
  return f.mv + f.slope * (at - f.t0 - f.mt);
}

/**
 * The streaming engine's smoothing fit over rings (see fitRing), for two series sharing their
 * times (vx and vy) in one pass over them: the engine's hottest loop, so fitRing's terms are
 * fused here rather than run twice. They are summed in fitRing's order, so the values are
 * linearFitAt's to the bit (test/unit/smoothing.test.ts).
 */
export function ringFitAt2(
  t: readonly number[],
  a: readonly number[],
  b: readonly number[],
  lo: number,
  count: number,
  at: number,
  out: [number, number],
): void {
  const size = t.length;
  const start = lo % size;
  const t0 = t[start]!;
  let st = 0;
  let sa = 0;
  let sb = 0;
  for (let k = 0, i = start; k < count; k++, i = i + 1 === size ? 0 : i + 1) {
    st += t[i]! - t0;
    sa += a[i]!;
    sb += b[i]!;
  }
  const mt = st / count;
  const ma = sa / count;
  const mb = sb / count;
  let stt = 0;
  let sta = 0;
  let stb = 0;
  for (let k = 0, i = start; k < count; k++, i = i + 1 === size ? 0 : i + 1) {
    const dt = t[i]! - t0 - mt;
    stt += dt * dt;
    sta += dt * (a[i]! - ma);
    stb += dt * (b[i]! - mb);
  }
  const off = at - t0 - mt;
  out[0] = stt > 0 ? ma + (sta / stt) * off : ma;
  out[1] = stt > 0 ? mb + (stb / stt) * off : mb;
}

/** The least-squares slope of v against t over a ring (see fitRing), per unit of t. */
export function ringSlope(t: ArrayLike<number>, v: ArrayLike<number>, lo: number, count: number): number {
  return fitRing(t, v, lo, count).slope;
}

/**
 * Whole-series reference: smooth one segment at once. The streaming engine produces the same values
 * sample by sample; tests compare the two.
 */
export function savgolLinear(t: ArrayLike<number>, v: ArrayLike<number>): number[] {
  const n = t.length;
  const out = new Array<number>(n);
  if (n < SAVGOL_WINDOW) {
    for (let i = 0; i < n; i++) out[i] = linearFitAt(t, v, 0, n, t[i]!);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const from = Math.min(Math.max(i - SAVGOL_HALF, 0), n - SAVGOL_WINDOW);
    out[i] = linearFitAt(t, v, from, from + SAVGOL_WINDOW, t[i]!);
  }
  return out;
}
