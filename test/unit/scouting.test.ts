import { readFileSync } from "node:fs";
import { parseNeeds, type ScoutingNeed } from "../../lambdas/contracts/needs.js";
import { confidenceFor, SCOUTING_CONFIDENCE_HALF_MINUTES, scoreNeed } from "../../lambdas/core/scouting/scouting.js";
import type { MatchProfile } from "../../lambdas/core/tracking/match-profile.js";

const profile = (minutes: number, f: Partial<MatchProfile["features"]> = {}): MatchProfile => ({
  minutes,
  matchStart: 0,
  matchEnd: minutes * 60_000,
  distanceM: 10_000,
  hiDistanceM: 2000,
  hsrDistanceM: 800,
  sprintCount: 20,
  accelCount: 30,
  topSpeedMps: 9,
  avgMetabolicPowerWkg: 10,
  rhieBouts: 2,
  features: {
    hsr_m_per90: 800,
    sprints_per90: 20,
    rhie_per90: 2,
    top_speed_mps: 9,
    avg_metabolic_power_wkg: 10,
    ...f,
  },
});

const need: ScoutingNeed = {
  need_id: "pressing-forward",
  role: "pressing forward",
  description: "",
  threshold: 0.8,
  min_minutes: 45,
  features: [
    { name: "sprints_per90", weight: 3, minimum: 10, target: 25 },
    { name: "hsr_m_per90", weight: 1, target: 1000 },
  ],
};

describe("scouting matcher", () => {
  it("scores sum(w x min(1, value/target)) / sum(w), worked by hand", () => {
    // GIVEN sprints 20/25 = 0.8 (weight 3) and HSR 800/1000 = 0.8 (weight 1)
    const s = scoreNeed(profile(90), need);
    // THEN score = (3 x 0.8 + 1 x 0.8) / 4 = 0.8, contributions 0.6 and 0.2
    expect(s.score).toBeCloseTo(0.8, 12);
    expect(s.features.map((f) => f.contribution)).toEqual([expect.closeTo(0.6, 12), expect.closeTo(0.2, 12)]);
    expect(s.matched).toBe(true);
    expect(s.rejection).toBeNull();
  });

  it("caps each feature at its target, so one outlier cannot carry the score", () => {
    const s = scoreNeed(profile(90, { sprints_per90: 100, hsr_m_per90: 0 }), need);
    expect(s.score).toBeCloseTo(0.75, 12);
    expect(s.matched).toBe(false);
    expect(s.rejection).toBe("score 0.750 below threshold 0.8");
  });

  it("rules a player out below a minimum, whatever the score", () => {
    const s = scoreNeed(profile(90, { sprints_per90: 9, hsr_m_per90: 5000 }), { ...need, threshold: 0.1 });
    expect(s.matched).toBe(false);
    expect(s.rejection).toBe("sprints_per90 9.00 below minimum 10");
  });

  it("does not score a profile with too few minutes", () => {
    expect(scoreNeed(profile(30), need).rejection).toBe("30 min observed, need 45");
  });

  it("confidence is n / (n + 90): 0.5 for one full match, falling with fewer minutes", () => {
    expect(SCOUTING_CONFIDENCE_HALF_MINUTES).toBe(90);
    expect(confidenceFor(90)).toBe(0.5);
    expect(confidenceFor(270)).toBe(0.75);
    expect(confidenceFor(30)).toBe(0.25);
    expect(confidenceFor(0)).toBe(0);
  });

  it("reads the club's needs file, and refuses a bad one naming the field", () => {
    const file = parseNeeds(JSON.parse(readFileSync("config/scouting-needs.json", "utf8")), "config");
    expect(file.needs.length).toBeGreaterThan(0);
    const bad = (needs: unknown) => () => parseNeeds({ version: 1, needs }, "f.json");
    expect(bad([{ ...need, features: [{ name: "speed", weight: 1, target: 1 }] }])).toThrow(
      /^invalid scouting needs in f\.json: needs\.0\.features\.0\.name: /,
    );
    expect(bad([{ ...need, features: [{ name: "sprints_per90", weight: 1, minimum: 5, target: 2 }] }])).toThrow(
      /minimum must not be above target/,
    );
    expect(bad([need, need])).toThrow("need_id 'pressing-forward' appears twice");
    expect(bad([{ ...need, need_id: "Bad Id" }])).toThrow(/need_id must be lowercase/);
  });
});
