import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import { trackingChunkSchema } from "../../lambdas/contracts/records/tracking.js";
import { startLocalKinesis } from "../../local/emulators/kinesis.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

// The real CLI, as a user runs it: a child process through bin/sideline.js.
const FIXTURES = join(ROOT, "test/fixtures");
const dir = mkdtempSync(join(tmpdir(), "sideline-cli-"));

async function sideline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return sidelineWithEnv({}, ...args);
}

const sidelineWithEnv = (env: Record<string, string>, ...args: string[]) => runCli(dir, env, ...args);

describe("sideline CLI", () => {
  it("imports a club's session loads, quarantining each bad line with its reason", async () => {
    const file = join(dir, "loads.csv");
    writeFileSync(
      file,
      "player_id,date,load,minutes,session_id\np1,2026-05-01,5200,75,t1\np1,2026-05-02,6100,80,\np2,2026-05-01,abc,70,t3\n,2026-05-01,4000,70,t4\n",
    );
    const lake = join(dir, "loads.duckdb");
    const r = await sideline("loads", file, "--lake", lake);
    expect(r.stdout).toMatch(
      /^4 loads read: 2 imported into player_loads for 1 players \(2 player_daily_load rows, 0 load spikes\), 2 quarantined/,
    );
    const rows = await sideline(
      "sql",
      "SELECT session_id, load, origin FROM player_loads ORDER BY 1",
      "--lake",
      lake,
      "--format",
      "csv",
    );
    expect(rows.stdout).toBe("session_id,load,origin\nimport-2026-05-02,6100,import\nt1,5200,import\n");
    const bad = await sideline(
      "sql",
      "SELECT record_ref, reason FROM quarantine ORDER BY 1",
      "--lake",
      lake,
      "--format",
      "csv",
    );
    expect(bad.stdout).toBe(
      `record_ref,reason\n${file}:4,load 'abc' is not a distance from 0 to 25000 m\n${file}:5,player_id is empty\n`,
    );
  });

  it("answers a deployed workflow's decision with SendTaskSuccess (a recording endpoint on 127.0.0.1)", async () => {
    const calls: { target: string | undefined; body: { taskToken: string; output: string } }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        calls.push({ target: req.headers["x-amz-target"] as string | undefined, body: JSON.parse(body) });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await sidelineWithEnv(
        { AWS_ACCESS_KEY_ID: "LOCAL", AWS_SECRET_ACCESS_KEY: "LOCAL" },
        "decide",
        "tok-123",
        "reject",
        "--reason",
        "too slow",
        "--target",
        "aws",
        "--region",
        "eu-west-1",
        "--endpoint",
        endpoint,
      );
      expect(r.stdout).toBe("sent reject to the waiting workflow (SendTaskSuccess)\n");
      expect(calls).toEqual([
        {
          target: "AWSStepFunctions.SendTaskSuccess",
          body: { taskToken: "tok-123", output: JSON.stringify({ decision: "reject", reason: "too slow" }) },
        },
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("sends a file to a Kinesis stream with --target aws (kinesalite standing in for AWS)", async () => {
    const kinesis = await startLocalKinesis();
    try {
      await kinesis.createStream("sideline-tracking-test", 1);
      const r = await sidelineWithEnv(
        { AWS_ACCESS_KEY_ID: "LOCAL", AWS_SECRET_ACCESS_KEY: "LOCAL" },
        "run",
        join(FIXTURES, "metrica_home.csv"),
        join(FIXTURES, "metrica_away.csv"),
        "--format",
        "metrica",
        "--kickoff",
        "2019-08-17T15:00:00Z",
        "--match-id",
        "m-aws",
        "--target",
        "aws",
        "--stream",
        "sideline-tracking-test",
        "--endpoint",
        kinesis.endpoint,
        "--region",
        "eu-west-1",
        "--lake",
        join(dir, "aws.duckdb"),
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const sent = Number(/in (\d+) records/.exec(r.stdout)?.[1]);
      const shard = await kinesis.client.send(
        new GetShardIteratorCommand({
          StreamName: "sideline-tracking-test",
          ShardId: "shardId-000000000000",
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      const got = await kinesis.client.send(new GetRecordsCommand({ ShardIterator: shard.ShardIterator! }));
      const chunks = (got.Records ?? []).map((x) =>
        trackingChunkSchema.parse(JSON.parse(Buffer.from(x.Data!).toString())),
      );
      expect(chunks).toHaveLength(sent);
      expect(new Set(chunks.map((c) => c.match_id))).toEqual(new Set(["m-aws"]));
      expect(chunks.filter((c) => c.final).length).toBe(new Set(chunks.map((c) => c.player_id)).size);
    } finally {
      await kinesis.close();
    }
  }, 60_000);

  it("runs Metrica files, then answers SQL as CSV with a header line", async () => {
    const lake = join(dir, "metrica.duckdb");
    const run = await sideline(
      "run",
      join(FIXTURES, "metrica_home.csv"),
      join(FIXTURES, "metrica_away.csv"),
      "--format",
      "metrica",
      "--kickoff",
      "2019-08-17 17:00", // a naive time is read in --tz: 15:00 UTC
      "--tz",
      "Europe/Oslo",
      "--match-id",
      "metrica-1",
      "--lake",
      lake,
      "--quiet",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The oracle: count the fixtures' non-NaN player cells, and the ball's in the home file.
    const cells = (file: string, column: RegExp) => {
      const lines = readFileSync(join(FIXTURES, file), "utf8").trim().split("\n");
      const header = lines[2]!.split(",");
      const cols = header.flatMap((h, i) => (column.test(h) ? [i] : []));
      const players = new Set<string>();
      let n = 0;
      for (const row of lines.slice(3).map((l) => l.split(","))) {
        for (const c of cols) {
          if (row[c] === "NaN" || row[c] === undefined || row[c] === "") continue;
          n++;
          players.add(`${file}${c}`);
        }
      }
      return { n, players: players.size };
    };
    const home = cells("metrica_home.csv", /^Player\d+$/);
    const away = cells("metrica_away.csv", /^Player\d+$/);
    const ball = cells("metrica_home.csv", /^Ball$/).n;
    const inWindows = home.n + away.n;
    expect(run.stdout).toContain(
      `Accounting: ${inWindows + ball} samples in = ${inWindows} in player_windows + ${ball} ball (not profiled) + 0 quarantined  (balanced)`,
    );
    const sql = await sideline(
      "sql",
      "SELECT count(DISTINCT player_id) AS players, min(window_start) AS first FROM player_windows",
      "--lake",
      lake,
      "--format",
      "csv",
    );
    // Windows are dated from the kick-off, not from 1970.
    expect(sql).toEqual({
      code: 0,
      stdout: `players,first\n${home.players + away.players},2019-08-17 15:00:00\n`,
      stderr: "",
    });
    const json = await sideline("sql", "SELECT 'a,b' AS s, 1.5 AS x", "--lake", lake, "--format", "json");
    expect(JSON.parse(json.stdout)).toEqual({ s: "a,b", x: "1.5" });
  }, 60_000);

  it.each([
    [
      ["run", "missing.csv", "--format", "long-csv"],
      1,
      "sideline: error: cannot read 'missing.csv': no such file: check the path",
    ],
    [
      ["run", "x.csv", "--format", "tracab"],
      2,
      "sideline: error: unknown format 'tracab': expected long-csv, metrica, catapult-gnss, pose-jsonl, frames, catapult-openfield, movesense, imu-csv, hr-csv, tcx or gpx",
    ],
    [
      ["sql", "SELECT 1", "--lake", "nowhere.duckdb"],
      1,
      "sideline: error: cannot open lake 'nowhere.duckdb': no such file (run 'sideline demo' first, or pass --lake)",
    ],
    [
      ["frobnicate"],
      2,
      "sideline: error: unknown command 'frobnicate': expected demo, run, sql, loads, explain, decide, pose, endpoint, crm",
    ],
    [["demo", "--minutes", "0"], 2, "sideline: error: --minutes must be an integer from 1 to 150, got '0'"],
  ])(
    "sideline %j exits %i with a one-line error",
    async (args, code, message) => {
      const r = await sidelineInProcess(...args); // in this process: no child start-up for a one-line check
      expect(r.code).toBe(code);
      expect(r.stderr.split("\n")[0]).toBe(message);
    },
    30_000,
  );

  it("refuses an unreadable lake in one line", async () => {
    const notALake = join(dir, "not-a-lake.duckdb");
    writeFileSync(notALake, "this is not a database");
    const r = await sideline("sql", "SELECT 1", "--lake", notALake);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sideline: error: cannot open lake '.*not-a-lake.duckdb': .+\n$/);
  }, 30_000);
});
