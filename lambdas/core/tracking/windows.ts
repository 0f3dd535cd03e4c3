/**
 * Tumbling windows of one player: the accumulators the feature engine fills, and the closed rows it
 * hands out. A window is aligned to a multiple of its length since the epoch, so all players'
 * windows line up.
 */

export interface WindowAcc {
  start: number;
  samples: number;
  discarded: number;
  trackedMs: number;
  distance: number;
  hi: number;
  hsr: number;
  sprint: number;
  sprints: number;
  accels: number;
  decels: number;
  top: number;
  energy: number;
  /** Heatmap cell index -> milliseconds spent there in this window. */
  cells: Record<number, number>;
}

/** A chunk that arrived ahead of a missing one, held until the gap fills. */
export interface ClosedWindow {
  readonly start: number;
  readonly end: number;
  readonly samples: number;
  readonly discardedSamples: number;
  readonly trackedS: number;
  readonly distanceM: number;
  readonly hiDistanceM: number;
  readonly hsrDistanceM: number;
  readonly sprintDistanceM: number;
  readonly sprintCount: number;
  readonly accelCount: number;
  readonly decelCount: number;
  readonly topSpeedMps: number;
  readonly metabolicEnergyJkg: number;
  readonly avgMetabolicPowerWkg: number;
}

/** The open window holding time t, created (in time order) if there is none yet. */
export function windowFor(open: WindowAcc[], windowMs: number, t: number): WindowAcc {
  const start = Math.floor(t / windowMs) * windowMs;
  for (let i = open.length - 1; i >= 0; i--) {
    const w = open[i]!;
    if (w.start === start) return w;
    if (w.start < start) break;
  }
  const w: WindowAcc = {
    start,
    samples: 0,
    discarded: 0,
    trackedMs: 0,
    distance: 0,
    hi: 0,
    hsr: 0,
    sprint: 0,
    sprints: 0,
    accels: 0,
    decels: 0,
    top: 0,
    energy: 0,
    cells: {},
  };
  open.push(w);
  open.sort((a, b) => a.start - b.start);
  return w;
}

export function toClosed(w: WindowAcc, windowMs: number): ClosedWindow {
  const trackedS = w.trackedMs / 1000;
  return {
    start: w.start,
    end: w.start + windowMs,
    samples: w.samples,
    discardedSamples: w.discarded,
    trackedS,
    distanceM: w.distance,
    hiDistanceM: w.hi,
    hsrDistanceM: w.hsr,
    sprintDistanceM: w.sprint,
    sprintCount: w.sprints,
    accelCount: w.accels,
    decelCount: w.decels,
    topSpeedMps: w.top,
    metabolicEnergyJkg: w.energy,
    avgMetabolicPowerWkg: trackedS > 0 ? w.energy / trackedS : 0,
  };
}
