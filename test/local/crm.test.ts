import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { CRM_SOURCE, DETAIL_TYPES } from "../../lambdas/contracts/events/index.js";
import type { BusEvent } from "../../local/emulators/bus.js";
import { LocalCrm } from "../../local/emulators/crm.js";
import { explanationFactory } from "../helpers/factories.js";

const request = (key: string): BusEvent => ({
  version: "0",
  id: `ev-${key}`,
  "detail-type": DETAIL_TYPES.crmPlayerUpsert,
  source: CRM_SOURCE,
  account: "000000000000",
  time: "2026-05-16T17:00:00Z",
  region: "local",
  resources: [],
  detail: {
    schema_version: 2,
    idempotency_key: key,
    operation: "player.upsert",
    player: { player_id: "p9", team: "away" },
    match_id: "m1",
    insight_id: "ins-9",
    score: 0.91,
    valuation: { value_index: 61, reliability: 0.25 },
    summary: "fast",
    explanation: explanationFactory("2026-05-16T16:45:00Z"),
    visual_url: "s3://visuals/x.svg",
  },
});

describe("local CRM client (HTTP on 127.0.0.1)", () => {
  let server: Server;
  let url: string;
  const seen: { status: number; key: string | undefined; at: number }[] = [];
  let script: { status: number; headers?: Record<string, string> }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const next = script.shift() ?? { status: 200 };
        seen.push({ status: next.status, key: req.headers["idempotency-key"] as string, at: Date.now() });
        res.writeHead(next.status, next.headers ?? {}).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
  });

  const sleeps: number[] = [];
  const backoff = {
    attempts: 3,
    baseMs: 100,
    maxMs: 2000,
    random: () => 1,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };

  it("honours 429's Retry-After, then succeeds", async () => {
    const lake = await DuckDbLake.open(":memory:");
    script = [{ status: 429, headers: { "retry-after": "1" } }];
    sleeps.length = 0;
    const crm = new LocalCrm(lake, { url, backoff });
    await crm.deliver(request("k-429"));
    expect(seen.map((s) => s.status)).toEqual([429, 200]);
    expect(sleeps).toEqual([1000]);
    expect(crm.stats).toMatchObject({ sent: 1, retries: 1, deadLettered: 0 });
    lake.close();
  });

  it("dead-letters after the last 5xx, with the body to resend, and loses nothing", async () => {
    const lake = await DuckDbLake.open(":memory:");
    script = [{ status: 500 }, { status: 502 }, { status: 503 }];
    sleeps.length = 0;
    const crm = new LocalCrm(lake, { url, backoff });
    await crm.deliver(request("k-5xx"));
    expect(seen.map((s) => [s.status, s.key])).toEqual([
      [500, "k-5xx"],
      [502, "k-5xx"],
      [503, "k-5xx"],
    ]);
    expect(sleeps).toEqual([200, 400]); // full jitter with random() = 1: base x 2^attempt
    const [dl] = await lake.queryObjects<{ attempts: number; last_status: number; error: string; body: string }>(
      "SELECT attempts, last_status, error, body::VARCHAR AS body FROM crm_dead_letters",
    );
    expect(dl).toMatchObject({ attempts: 3, last_status: 503, error: "HTTP 503" });
    expect(JSON.parse(dl!.body).idempotency_key).toBe("k-5xx");
    lake.close();
  });

  it("does not retry a 4xx other than 429: the request is wrong, not the server", async () => {
    const lake = await DuckDbLake.open(":memory:");
    script = [{ status: 400 }];
    const crm = new LocalCrm(lake, { url, backoff });
    await crm.deliver(request("k-400"));
    expect(seen).toHaveLength(1);
    expect(crm.stats.deadLettered).toBe(1);
    lake.close();
  });

  it("dead-letters a request that breaks the contract, naming the event", async () => {
    const lake = await DuckDbLake.open(":memory:");
    const crm = new LocalCrm(lake, { url, backoff });
    const bad = request("k-bad");
    await crm.deliver({ ...bad, detail: { ...(bad.detail as object), operation: "player.delete" } });
    expect(seen).toHaveLength(0);
    const rows = await lake.queryObjects<{ error: string }>("SELECT error FROM crm_dead_letters");
    expect(rows[0]!.error).toMatch(/^invalid CRM request in event ev-k-bad: operation: /);
    lake.close();
  });

  it("keeps requests in crm_outbox without a URL, once per idempotency key", async () => {
    const lake = await DuckDbLake.open(":memory:");
    const crm = new LocalCrm(lake, {});
    await crm.deliver(request("k-out"));
    await crm.deliver(request("k-out"));
    const rows = await lake.queryObjects("SELECT idempotency_key, operation FROM crm_outbox");
    expect(rows).toEqual([{ idempotency_key: "k-out", operation: "player.upsert" }]);
    expect(() => new LocalCrm(lake, { url: "ftp://x" })).toThrow(/must be an http\(s\) URL/);
    lake.close();
  });
});
