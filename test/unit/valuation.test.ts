import { readFileSync } from "node:fs";
import {
  VALUATION_HALF_MINUTES,
  VALUATION_MIN_MATCH_MINUTES,
  VALUATION_RECENT_MATCHES,
  valuate,
} from "../../lambdas/core/scouting/valuation.js";

const at = (pct: number) => ({ value: 1, pct });
const features = (pct: number) => ({
  hsr_m_per90: at(pct),
  sprints_per90: at(pct),
  rhie_per90: at(pct),
  top_speed_mps: at(pct),
  avg_metabolic_power_wkg: at(pct),
});

describe("valuation index", () => {
  it("is r x 100 x mean(percentile) + (1 - r) x 50 with r = minutes / (minutes + 270), worked by hand", () => {
    // Top of every rank over 270 minutes: r = 0.5, index = 0.5 x 100 + 0.5 x 50 = 75
    const v = valuate({ minutes: VALUATION_HALF_MINUTES, matches: 3, population: 20, features: features(1) });
    expect(v.reliability).toBe(0.5);
    expect(v.raw).toBe(100);
    expect(v.valueIndex).toBe(75);
  });

  it("pulls few minutes to the median, and is 50 with none", () => {
    const v = valuate({ minutes: 30, matches: 1, population: 20, features: features(1) });
    expect(v.valueIndex).toBeCloseTo(0.1 * 100 + 0.9 * 50, 12);
    expect(valuate({ minutes: 0, matches: 0, population: 0, features: features(0) }).valueIndex).toBe(50);
  });

  it("weights the features equally: mixed ranks average", () => {
    const f = { ...features(0), hsr_m_per90: at(1), sprints_per90: at(0.5) };
    const v = valuate({ minutes: 1e9, matches: 5, population: 20, features: f });
    expect(v.raw).toBeCloseTo(30, 12);
  });

  it("shares its constants with the enrich query the workflow runs", () => {
    const sql = readFileSync("stepfunctions/scouting-enrich.sql", "utf8");
    expect(sql).toContain(`WHERE rn <= ${VALUATION_RECENT_MATCHES}`);
    expect(sql).toContain(`WHERE minutes >= ${VALUATION_MIN_MATCH_MINUTES}`);
  });
});
