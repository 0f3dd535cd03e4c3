import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { runCli } from "../helpers/cli.js";
import { expectRealisticEliteMatch, expectTiredPlayersFlagged } from "../helpers/demo-checks.js";
import { expectNoHealthDetails } from "../helpers/health-details.js";

// `sideline demo` as a user runs it (a child process), with a CRM on 127.0.0.1 whose first reply is 503.
const dir = mkdtempSync(join(tmpdir(), "sideline-chain-"));

const sideline = (env: Record<string, string>, ...args: string[]) => runCli(dir, env, ...args);

describe("the demo's whole chain: insights, workflows, CRM, pictures, explain and decide", () => {
  const received: {
    status: number;
    headers: IncomingHttpHeaders;
    body: { idempotency_key: string; operation: string; player: { player_id: string } };
  }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const status = received.length === 0 ? 503 : 200;
      received.push({ status, headers: req.headers, body: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  let env: Record<string, string>;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    env = {
      SIDELINE_CRM_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`,
      SIDELINE_CRM_TOKEN: "demo-token",
    };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("fires scouting matches and fatigue alerts a coach would accept, and the CRM gets each request once", async () => {
    const lake = join(dir, "lake.duckdb");
    // The training week's last two sessions (the default five add ~7 s and nothing this test checks).
    const demo = await sideline(env, "demo", "--lake", lake, "--quiet", "--training-days", "2");
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/medical-alert SUCCEEDED\s+4/);
    expect(demo.stdout).toMatch(/scouting WAITING\s+2/);
    // The pose clip: every frame accounted, and its one deviation reached the medical workflow.
    expect(demo.stdout).toContain("36,000 samples in = 36,000 in biomech_windows + 0 quarantined  (balanced)");
    // (the summary's workflows are the match's: the tracking's four and the knee's one, which is news after his fatigue)
    expect(demo.stdout).toMatch(
      /match demo-7 \(pose\)[\s\S]*medical-alert SUCCEEDED\s+5[\s\S]*Medical alerts: 5 notified\n/,
    );
    expect(demo.stdout).not.toContain("demo-token");
    // The training week: every sample of the straps, the vest and the imports accounted.
    expect(demo.stdout).toMatch(
      /\d+ sessions \(wearables\): ([\d,]+) samples in [\s\S]*?Accounting: \1 samples in = \1 in wearable_windows and player_loads \(imports\) \+ 0 quarantined {2}\(balanced\)/,
    );

    // The CRM saw the 503, the retry with the same key, and one accepted request per key, with auth
    expect(received[0]!.status).toBe(503);
    const retried = received.slice(1).find((r) => r.body.idempotency_key === received[0]!.body.idempotency_key);
    expect(retried?.status).toBe(200);
    const accepted = received.filter((r) => r.status === 200).map((r) => r.body.idempotency_key);
    expect(new Set(accepted).size).toBe(accepted.length);
    for (const r of received) expect(r.headers.authorization).toBe("Bearer demo-token");
    // The scouting matches are the demo's busiest runner (top sprinter, most HSR), for both needs
    expect(received.map((r) => r.body.player.player_id)).toEqual(["away_5", "away_5", "away_5"]);

    const db = await DuckDbLake.open(lake, { readOnly: true });
    // The numbers: a realistic elite match, and the players the generator tires are flagged.
    const match = new DemoMatch({ seed: 7 });
    await expectRealisticEliteMatch(db, match);
    await expectTiredPlayersFlagged(db, match);
    const insights = await db.queryObjects<{ insight_id: string; detail_type: string; player_id: string; url: string }>(
      "SELECT insight_id, detail_type, player_id, json_extract_string(detail, '$.visual_url') AS url FROM insights ORDER BY 2, 3",
    );
    const tokens = await db.queryObjects<{ task_token: string }>("SELECT task_token FROM pending_decisions");
    // What the medical topic's subscribers (e-mail) got, and the findings it was about
    const notified = await db.queryObjects<{ subject: string; message: string }>(
      "SELECT subject, message FROM notifications WHERE topic = 'medical'",
    );
    const findings = await db.queryObjects<{ insight_id: string; detail_type: string; summary: string; rule: string }>(
      `SELECT insight_id, detail_type, json_extract_string(detail, '$.summary') AS summary,
              json_extract_string(detail, '$.explanation.rule') AS rule FROM insights`,
    );
    const pose = await db.queryObjects<{ subject_id: string; frames: bigint; windows: bigint }>(
      `SELECT subject_id, (SELECT count(*) FROM pose_frames f WHERE f.subject_id = w.subject_id) AS frames,
              count(*) AS windows FROM biomech_windows w GROUP BY subject_id ORDER BY 1`,
    );
    // Every measure has its daily series for the returning player, ratios included, and the vest's windows keep its rate.
    const daily = await db.queryObjects<{ load_measure: string; trusted: bigint; ratios: bigint }>(
      `SELECT load_measure, count(*) FILTER (WHERE history_days >= 28) AS trusted, count(acwr_ewma) AS ratios
         FROM player_daily_load WHERE player_id = 'home_4' GROUP BY 1 ORDER BY 1`,
    );
    const vest = await db.queryObjects<{ rates: string; pl: number; jumps: bigint }>(
      "SELECT string_agg(DISTINCT sample_rate_hz::VARCHAR) AS rates, sum(player_load) AS pl, sum(jumps) AS jumps FROM wearable_windows WHERE device_kind = 'catapult-s6'",
    );
    db.close();
    expect(daily.map((d) => d.load_measure)).toEqual([
      "distance_m",
      "player_load_au",
      "srpe_au",
      "trimp_banister_au",
      "trimp_edwards_au",
    ]);
    // A ratio on every day with 28 days of history, and on none before.
    for (const d of daily) {
      expect(d.trusted).toBeGreaterThan(0n);
      expect(d.ratios).toBe(d.trusted);
    }
    // Two sessions (75 and 60 min) at 5-9 AU/min; two headers a session.
    expect(vest[0]!.rates).toBe("100.0");
    expect(vest[0]!.pl).toBeGreaterThan(135 * 5);
    expect(vest[0]!.pl).toBeLessThan(135 * 9);
    expect(vest[0]!.jumps).toBe(4n);
    // 12 minutes of 25 fps per player: every frame a pose_frames row, every minute a biomech_windows row.
    expect(pose).toEqual([
      { subject_id: "home_7", frames: 18_000n, windows: 12n },
      { subject_id: "home_9", frames: 18_000n, windows: 12n },
    ]);
    expect(insights.map((i) => `${i.detail_type}: ${i.player_id}`)).toEqual([
      "Player Biomechanics Deviation: home_7",
      "Player Fatigue Suspected: away_8",
      "Player Fatigue Suspected: home_10",
      "Player Fatigue Suspected: home_7",
      // Distance twice: the week's imported GPS session pushed past 1.5, then the match.
      "Player Load Spike: home_4",
      "Player Load Spike: home_4",
      "Scouting Candidate Matched: away_5",
      "Scouting Candidate Matched: away_5",
    ]);
    for (const i of insights) {
      const svg = readFileSync(fileURLToPath(i.url), "utf8");
      expect(svg).toMatch(/^<svg[^>]+viewBox/);
      expect(svg).toContain(i.player_id);
    }

    // Every medical notification names the player and the alert to open with one's own access, and none of the finding
    // (one per medical insight: three fatigue, two load spikes days apart, the knee)
    expect(notified).toHaveLength(6);
    for (const n of notified) {
      const id = /npx sideline explain (\S+)/.exec(n.message)?.[1];
      const f = findings.find((x) => x.insight_id === id);
      expect(f?.detail_type).toMatch(/^Player (Fatigue Suspected|Load Spike|Biomechanics Deviation)$/);
      expectNoHealthDetails(`${n.subject}\n${n.message}`, {
        detailType: f!.detail_type,
        summary: f!.summary,
        rule: f!.rule,
      });
    }

    const fatigue = insights[1]!;
    const explain = await sideline({}, "explain", fatigue.insight_id, "--lake", lake);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain("Player Fatigue Suspected: away_8");
    expect(explain.stdout).toContain("hi_distance_m_per_5min_last_5min");
    expect(explain.stdout).toContain(fileURLToPath(fatigue.url));
    expect(existsSync(fileURLToPath(fatigue.url))).toBe(true);
    // The pose deviation explains itself with the caving knee's skeleton: the left knee, in the clip's last windows.
    const deviation = insights[0]!;
    const why = await sideline({}, "explain", deviation.insight_id, "--lake", lake);
    expect(why.stdout).toContain("knee_fppa_peak_left_deg");
    expect(why.stdout).toMatch(/Baseline: 10 windows/);
    expect(readFileSync(fileURLToPath(deviation.url), "utf8")).toMatch(/<circle[^>]+fill="#ef5350"><title>left_knee/);

    const decide = await sideline(
      env,
      "decide",
      tokens[0]!.task_token,
      "approve",
      "--reason",
      "watch live",
      "--lake",
      lake,
    );
    expect(decide.stdout).toMatch(/SUCCEEDED; CRM: task\.create away_5 \(sent\)/);
    expect(received.at(-1)!.body.operation).toBe("task.create");
    const again = await sideline(env, "decide", tokens[0]!.task_token, "reject", "--lake", lake);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already given: approve/);
  }, 180_000);
});
