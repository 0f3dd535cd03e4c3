/**
 * Metabolic power of running and walking on flat ground, after di Prampero & Osgnach (2018),
 * "Metabolic power in team sports - Part 1: an update", Int J Sports Med 39(8):581-587, with the
 * energy cost of running from Minetti & Parvei (2018), J Exp Biol 221:jeb182303, as the floodlight
 * library implements it (floodlight.models.kinetics.MetabolicPowerModel).
 *
 * Acceleration on flat ground is treated as running up an equivalent slope ES with an equivalent
 * body mass EM; air resistance adds K*v^2 to the slope.
 */

/** Standard gravity, m/s^2 (CODATA; scipy.constants.g, as floodlight uses). */
export const GRAVITY_MPS2 = 9.80665;
/** Air resistance coefficient, J s^2 kg^-1 m^-3 (di Prampero & Osgnach 2018). */
export const AIR_RESISTANCE_K = 0.0037;
/** Energy cost of constant-speed running on flat ground, J/kg/m (di Prampero & Osgnach 2018). */
export const COST_CONSTANT_RUNNING_JKGM = 3.6;
/** Above this speed locomotion is always running, m/s (di Prampero & Osgnach 2018; floodlight). */
export const ALWAYS_RUNNING_SPEED_MPS = 2.5;
/**
 * Walk-run transition speed as a polynomial of ES, highest power first (ES^5 .. ES^0)
 * (di Prampero & Osgnach 2018, eq. 12).
 */
export const WALK_RUN_TRANSITION_POLY = [-107.05, 113.13, -1.13, -15.84, -1.7, 2.27] as const;
/** ES grid at which the walking-cost polynomials are tabulated (di Prampero & Osgnach 2018, Table 1). */
export const WALKING_ES_GRID = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4] as const;
/**
 * Energy cost of walking, J/kg/m, as polynomials of speed (v^4 .. v^0), one per ES grid point
 * (di Prampero & Osgnach 2018, Table 1).
 */
export const WALKING_COST_POLY = [
  [0.28, -1.66, 3.81, -3.96, 4.01],
  [0.03, -0.15, 0.98, -2.25, 3.14],
  [0.69, -3.21, 5.94, -5.07, 2.79],
  [1.25, -6.57, 13.14, -11.15, 5.35],
  [0.68, -4.17, 10.17, -10.31, 8.66],
  [3.8, -14.91, 22.94, -14.53, 11.24],
  [44.95, -122.88, 126.94, -57.46, 21.39],
  [94.62, -213.94, 184.43, -68.49, 25.04],
] as const;
/** Minetti & Parvei (2018) eq. 3-4: cost of running uphill is 39.5*ES + C*exp(-4*ES). */
const UPHILL_LINEAR = 39.5;
const UPHILL_EXP = -4;
/** Minetti & Parvei (2018) eq. 3-4: cost of running downhill is -8.34*ES + C*exp(13*ES). */
const DOWNHILL_LINEAR = -8.34;
const DOWNHILL_EXP = 13;

/** Horner's rule; an index loop, because an iterator per call is garbage on the per-sample path. */
function horner(coeffs: readonly number[], x: number): number {
  let acc = 0;
  for (let i = 0; i < coeffs.length; i++) acc = acc * x + coeffs[i]!;
  return acc;
}

/** Equivalent slope: forward acceleration plus air resistance, as a fraction of g. */
export function equivalentSlope(speedMps: number, accelMps2: number): number {
  return (accelMps2 + AIR_RESISTANCE_K * speedMps * speedMps) / GRAVITY_MPS2;
}

/** Equivalent (normalised) body mass: the resultant of g and the forward acceleration, over g. */
export function equivalentMass(es: number): number {
  return Math.sqrt(es * es + 1);
}

/** Speed above which locomotion at this ES is running rather than walking, m/s. */
export function walkRunTransitionSpeed(es: number): number {
  return horner(WALK_RUN_TRANSITION_POLY, es);
}

/** Energy cost of running at equivalent slope ES, J/kg/m (Minetti & Parvei 2018), times EM. */
export function runningCost(es: number, em: number, constantCost = COST_CONSTANT_RUNNING_JKGM): number {
  const c =
    es < 0
      ? DOWNHILL_LINEAR * es + constantCost * Math.exp(DOWNHILL_EXP * es)
      : UPHILL_LINEAR * es + constantCost * Math.exp(UPHILL_EXP * es);
  return c * em;
}

/**
 * Energy cost of walking, J/kg/m: the Table 1 polynomials linearly interpolated between the two
 * nearest ES grid points (clamped at the ends of the grid), times EM.
 */
export function walkingCost(speedMps: number, es: number, em: number): number {
  const grid = WALKING_ES_GRID;
  const last = grid.length - 1;
  if (es <= grid[0]) return horner(WALKING_COST_POLY[0], speedMps) * em;
  if (es > grid[last]!) return horner(WALKING_COST_POLY[last]!, speedMps) * em;
  let hi = 1;
  while (grid[hi]! < es) hi++;
  const lo = hi - 1;
  const w = (es - grid[lo]!) / (grid[hi]! - grid[lo]!);
  const cost = (1 - w) * horner(WALKING_COST_POLY[lo]!, speedMps) + w * horner(WALKING_COST_POLY[hi]!, speedMps);
  return cost * em;
}

/** Energy cost of locomotion at this speed and acceleration, J/kg/m. */
export function locomotionCost(speedMps: number, accelMps2: number): number {
  const es = equivalentSlope(speedMps, accelMps2);
  const em = equivalentMass(es);
  const running = speedMps > ALWAYS_RUNNING_SPEED_MPS || speedMps >= walkRunTransitionSpeed(es);
  return running ? runningCost(es, em) : walkingCost(speedMps, es, em);
}

/** Metabolic power, W/kg: energy cost of locomotion times speed. */
export function metabolicPower(speedMps: number, accelMps2: number): number {
  return locomotionCost(speedMps, accelMps2) * speedMps;
}
