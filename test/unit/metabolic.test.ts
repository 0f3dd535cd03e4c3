import {
  equivalentSlope,
  locomotionCost,
  metabolicPower,
  walkRunTransitionSpeed,
} from "../../lambdas/core/tracking/metabolic.js";

// Golden values: di Prampero & Osgnach (2018) as floodlight implements it
// (floodlight.models.kinetics.MetabolicPowerModel, g = scipy.constants.g), given by the tracking spec.
const GOLDEN: [string, number, number, number][] = [
  ["constant 4 m/s", 4, 0, 15.011],
  ["5 m/s accelerating at 2 m/s^2", 5, 2, 50.929],
  ["walking at 2 m/s", 2, 0, 6.196],
  ["7 m/s", 7, 0, 28.52],
];

describe("metabolic power (di Prampero & Osgnach 2018)", () => {
  it.each(GOLDEN)("%s gives the golden value to 0.1%%", (_name, v, a, expected) => {
    const p = metabolicPower(v, a);
    expect(Math.abs(p - expected) / expected).toBeLessThan(0.001);
  });

  it("walks below the transition speed and runs above 2.5 m/s", () => {
    // At ES ~ 0 the transition polynomial's constant term, 2.27 m/s, is the walk-run speed.
    expect(walkRunTransitionSpeed(0)).toBeCloseTo(2.27, 10);
    expect(2).toBeLessThan(walkRunTransitionSpeed(equivalentSlope(2, 0)));
    // Running at 3 m/s on the flat: 3.6 * exp(-4 ES) + 39.5 ES with ES = K v^2 / g (Minetti & Parvei 2018).
    const es = equivalentSlope(3, 0);
    expect(locomotionCost(3, 0)).toBeCloseTo((3.6 * Math.exp(-4 * es) + 39.5 * es) * Math.sqrt(1 + es * es), 12);
  });

  it("is zero when standing still", () => {
    expect(metabolicPower(0, 0)).toBe(0);
  });

  it("costs more to accelerate than to decelerate at the same speed", () => {
    expect(metabolicPower(5, 2)).toBeGreaterThan(metabolicPower(5, 0));
    expect(metabolicPower(5, -2)).toBeLessThan(metabolicPower(5, 0));
  });
});
