import {
  elbowFlexion,
  hipFlexion,
  jointAngle,
  kneeFlexion,
  kneeFppa,
  trunkLean,
} from "../../lambdas/core/pose/angles.js";
import { facingPlayer, medialFor, skeleton } from "./biomech-fixtures.js";

// 3-4-5 triangles: the angle whose tangent is 3/4 is 36.8699°, 4/3 is 53.1301° (cos = 0.8 and 0.6).
const ATAN_3_4 = (Math.atan2(3, 4) * 180) / Math.PI;
const ATAN_4_3 = 90 - ATAN_3_4;

describe("jointAngle", () => {
  it("gives 90° for a right angle and the 3-4-5 angles by hand", () => {
    expect(jointAngle([10, 0], [0, 0], [0, 10])).toBeCloseTo(90, 12);
    // At (0,0) between (3,0) and (3,4): cos = 3/5, 53.13°; at (3,4) between (0,0) and (3,0): 36.87°.
    expect(jointAngle([3, 0], [0, 0], [3, 4])).toBeCloseTo(ATAN_4_3, 12);
    expect(jointAngle([0, 0], [3, 4], [3, 0])).toBeCloseTo(ATAN_3_4, 12);
  });

  it("gives 180° for collinear points with the joint between, 0° on one ray", () => {
    expect(jointAngle([0, 0], [0, 5], [0, 10])).toBe(180);
    expect(jointAngle([0, 5], [0, 0], [0, 10])).toBe(0);
  });

  it("gives null, never NaN, for coincident, missing or non-finite points", () => {
    expect(jointAngle([1, 1], [1, 1], [5, 5])).toBeNull();
    expect(jointAngle([1, 1], [1.5, 1], [5, 5])).toBeNull(); // a half-pixel segment has no direction
    expect(jointAngle(null, [0, 0], [1, 1])).toBeNull();
    expect(jointAngle([Number.NaN, 0], [0, 0], [0, 10])).toBeNull();
  });
});

describe("flexion angles", () => {
  it("knee flexion is 180° − hip–knee–ankle: 0° straight, 90° square, atan(3/4) for a 3-4-5 shank", () => {
    const leg = (ankle: [number, number]) =>
      skeleton({ left_hip: [300, 100], left_knee: [300, 200], left_ankle: ankle });
    expect(kneeFlexion(leg([300, 300]), "left")).toBeCloseTo(0, 12);
    expect(kneeFlexion(leg([400, 200]), "left")).toBeCloseTo(90, 12);
    // Shank (60, 80) from a vertical thigh: it leaves the thigh's line by atan(60 / 80).
    expect(kneeFlexion(leg([360, 280]), "left")).toBeCloseTo(ATAN_3_4, 12);
    expect(kneeFlexion(leg([360, 280]), "right")).toBeNull();
  });

  it("hip flexion is 180° − shoulder–hip–knee; elbow flexion 180° − shoulder–elbow–wrist", () => {
    // Thigh (80, 60) from a vertical trunk: atan(80 / 60) = 53.13°.
    const s = skeleton({
      right_shoulder: [300, 0],
      right_hip: [300, 100],
      right_knee: [380, 160],
      right_elbow: [300, 60],
      right_wrist: [360, 60],
    });
    expect(hipFlexion(s, "right")).toBeCloseTo(ATAN_4_3, 12);
    expect(elbowFlexion(s, "right")).toBeCloseTo(90, 12);
    expect(elbowFlexion(s, "left")).toBeNull();
  });
});

describe("knee FPPA (Munro, Herrington & Carolan 2012)", () => {
  it("is 2·atan(3/4) = 73.74° for a knee 60 px medial over an 80 px thigh and shank, positive (valgus)", () => {
    // Left hip (330, 200), knee (270, 280), ankle (330, 360): thigh (−60, 80), shank (60, 80).
    expect(kneeFppa(facingPlayer(60, 0), "left")).toBeCloseTo(2 * ATAN_3_4, 10);
  });

  it("is positive for a medial knee and negative for a lateral one, on either leg", () => {
    const s = facingPlayer(medialFor(20), -medialFor(10));
    expect(kneeFppa(s, "left")).toBeCloseTo(20, 10);
    expect(kneeFppa(s, "right")).toBeCloseTo(-10, 10);
    const t = facingPlayer(-medialFor(15), medialFor(12));
    expect(kneeFppa(t, "left")).toBeCloseTo(-15, 10);
    expect(kneeFppa(t, "right")).toBeCloseTo(12, 10);
    expect(kneeFppa(facingPlayer(0, 0), "left")).toBe(0);
  });

  it("keeps its sign when the player turns his back to the camera (the image mirrored)", () => {
    const mirrored = facingPlayer(medialFor(20), -medialFor(10)).map((k) =>
      k ? ([600 - k[0], k[1], k[2]] as const) : k,
    );
    expect(kneeFppa(mirrored, "left")).toBeCloseTo(20, 10);
    expect(kneeFppa(mirrored, "right")).toBeCloseTo(-10, 10);
  });

  it("is null in a side view, where the hips are less than half a thigh apart, or with a hip missing", () => {
    const side = skeleton({
      left_hip: [301, 200],
      right_hip: [299, 200],
      left_knee: [330, 280],
      left_ankle: [300, 360],
    });
    expect(kneeFppa(side, "left")).toBeNull();
    const s = facingPlayer(10, 10);
    expect(
      kneeFppa(
        s.map((k, i) => (i === 12 ? null : k)),
        "left",
      ),
    ).toBeNull();
  });
});

describe("trunk lean", () => {
  const trunk = (dx: number, up: number) =>
    skeleton({
      left_hip: [330, 200],
      right_hip: [270, 200],
      left_shoulder: [340 + dx, 200 - up],
      right_shoulder: [260 + dx, 200 - up],
    });

  it("is 0 upright, +atan(3/4) leaning toward image +x, negative toward −x, 180 upside down", () => {
    expect(trunkLean(trunk(0, 100))).toBe(0);
    expect(trunkLean(trunk(75, 100))).toBeCloseTo(ATAN_3_4, 12);
    expect(trunkLean(trunk(-100, 75))).toBeCloseTo(-ATAN_4_3, 12);
    expect(trunkLean(trunk(0, -100))).toBe(180);
  });

  it("is null when mid-shoulder and mid-hip coincide or a shoulder is missing", () => {
    expect(trunkLean(trunk(0, 0))).toBeNull();
    expect(trunkLean(skeleton({ left_hip: [330, 200], right_hip: [270, 200], left_shoulder: [340, 100] }))).toBeNull();
  });
});
