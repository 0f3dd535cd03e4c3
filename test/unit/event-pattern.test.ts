import { INSIGHT_CONTRACTS } from "../../lambdas/contracts/events/index.js";
import { matchesPattern } from "../../lambdas/core/events/event-pattern.js";

// Examples from the Amazon EventBridge User Guide: "Amazon EventBridge event patterns" and
// "Content filtering in Amazon EventBridge event patterns".
const EC2_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...EC2_EVENT, detail });

describe("event patterns (EventBridge semantics)", () => {
  it.each([
    [
      "exact source and detail-type",
      { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
      true,
    ],
    ["any of several values", { detail: { state: ["stopped", "terminated"] } }, true],
    ["a value that is not there", { detail: { state: ["running"] } }, false],
    ["a resources element", { resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"] }, true],
    ["prefix", { time: [{ prefix: "2017-12-22" }] }, true],
    ["prefix ignoring case", { source: [{ prefix: { "equals-ignore-case": "AWS." } }] }, true],
    ["suffix", { region: [{ suffix: "-1" }] }, true],
    ["anything-but a value", { detail: { state: [{ "anything-but": "initializing" }] } }, true],
    ["anything-but a list", { detail: { state: [{ "anything-but": ["stopped", "terminated"] }] } }, false],
    ["anything-but a prefix", { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, true],
    [
      "equals-ignore-case",
      { "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] },
      true,
    ],
    ["wildcard", { resources: [{ wildcard: "arn:aws:ec2:*:instance/*" }] }, true],
    ["exists true", { detail: { state: [{ exists: true }] } }, true],
    ["exists false on a present field", { detail: { state: [{ exists: false }] } }, false],
    ["exists false on a missing field", { detail: { "c-count": [{ exists: false }] } }, true],
    ["a field the event lacks", { detail: { "c-count": [5] } }, false],
  ])("%s", (_name, pattern, expected) => {
    expect(matchesPattern(pattern, EC2_EVENT)).toBe(expected);
  });

  it("matches numeric ranges", () => {
    const e = withDetail({ "c-count": 5, "d-count": 7, "x-limit": 301.8 });
    const pattern = {
      detail: {
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ numeric: ["=", 3.018e2] }],
      },
    };
    expect(matchesPattern(pattern, e)).toBe(true);
    expect(matchesPattern({ detail: { "c-count": [{ numeric: [">", 5] }] } }, e)).toBe(false);
    expect(matchesPattern({ detail: { "c-count": [{ numeric: [">", 0] }] } }, withDetail({ "c-count": "5" }))).toBe(
      false,
    );
  });

  it("matches $or alternatives", () => {
    const pattern = {
      detail: {
        $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }],
      },
    };
    expect(matchesPattern(pattern, withDetail({ "c-count": 9, "d-count": 3 }))).toBe(true);
    expect(matchesPattern(pattern, withDetail({ "c-count": 9, "d-count": 30 }))).toBe(false);
  });

  it("matches null, empty strings and IPv4 CIDR blocks", () => {
    expect(matchesPattern({ detail: { responseElements: [null] } }, withDetail({ responseElements: null }))).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [""] } }, withDetail({ eventVersion: "" }))).toBe(true);
    const ip = withDetail({ "source-ip-address": "10.0.0.255" });
    expect(matchesPattern({ detail: { "source-ip-address": [{ cidr: "10.0.0.0/24" }] } }, ip)).toBe(true);
    expect(matchesPattern({ detail: { "source-ip-address": [{ cidr: "10.0.1.0/24" }] } }, ip)).toBe(false);
  });

  it("fails on a malformed pattern", () => {
    expect(() => matchesPattern({ source: "aws.ec2" }, EC2_EVENT)).toThrow(/leaf must be an array/);
    expect(() => matchesPattern({ source: [{ regex: ".*" }] }, EC2_EVENT)).toThrow(
      /unsupported pattern operator 'regex'/,
    );
  });

  it("routes each insight contract's events with its own pattern", () => {
    for (const c of INSIGHT_CONTRACTS) {
      expect(matchesPattern(c.pattern, { ...EC2_EVENT, source: c.source, "detail-type": c.detailType })).toBe(true);
      expect(matchesPattern(c.pattern, EC2_EVENT)).toBe(false);
    }
  });
});
