/** The end-of-run summary: top distances and sprinters, insights, row and quarantine accounting, the verdict. */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { modalityById } from "../../lambdas/contracts/modalities.js";
import { InputError } from "../../producers/readers/input-error.js";
import type { PipelineResult } from "../pipeline.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { accountedIn, accountingTable, HEADLINES, INSIGHT_SOURCES } from "./summary-modalities.js";
import { printableLines } from "./terminal.js";

const n0 = (v: number) => Math.round(v).toLocaleString("en-US");
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface Accounting {
  readonly samplesIn: number;
  readonly inWindows: number;
  readonly ball: number;
  readonly quarantined: number;
  /** Samples read but not in the lake: in windows left open, or unsent, when an input failed part way. */
  readonly notWritten: number;
  /** Samples not quarantined. */
  readonly accepted: number;
  /** quarantined / samplesIn (0 when nothing was read). */
  readonly quarantineShare: number;
  readonly balanced: boolean;
}

/** Count in = rows accounted + quarantined: every sample read is in a window, the ball, or quarantine. */
export function accounting(r: PipelineResult): Accounting {
  const quarantined = r.readerQuarantinedSamples + r.handler.samplesQuarantined + r.esmQuarantinedSamples;
  const ball = r.handler.samplesPassedThrough;
  const notWritten = r.samplesIn - r.samplesInWindows - ball - quarantined;
  return {
    samplesIn: r.samplesIn,
    inWindows: r.samplesInWindows,
    ball,
    quarantined,
    notWritten,
    accepted: r.samplesIn - quarantined,
    quarantineShare: r.samplesIn === 0 ? 0 : quarantined / r.samplesIn,
    balanced: notWritten === 0,
  };
}

export interface RunStatus {
  readonly code: ExitCode;
  /** Loud lines for stderr and the top of the summary; empty when the run is fine. */
  readonly warnings: readonly string[];
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The run's verdict, most serious first: incomplete, not balanced, no samples, too much quarantined. */
export function runStatus(r: PipelineResult, maxQuarantineShare: number): RunStatus {
  const a = accounting(r);
  const f = r.incomplete;
  if (f) {
    const where = f.file ? ` at '${f.file}'${InputError.where(f.linesRead ?? -1)}` : "";
    return {
      code: EXIT.incomplete,
      warnings: [
        `INCOMPLETE: the input stopped${where}: ${f.reason}. The rows read before it are in the lake and no ` +
          "player's match was completed (no profiles, match loads or scouting); fix the input and run it " +
          "again: the rerun replaces these rows",
      ],
    };
  }
  if (!a.balanced) return { code: EXIT.notBalanced, warnings: [] };
  if (a.accepted === 0) {
    return {
      code: EXIT.noSamples,
      warnings: [
        a.samplesIn === 0
          ? "NO SAMPLES: the input holds no data lines (a header alone?): nothing went into the lake"
          : `NO SAMPLES ACCEPTED: all ${n0(a.samplesIn)} samples were quarantined (the quarantine lines of the summary say why): check --format, the file and --tz`,
      ],
    };
  }
  if (a.quarantineShare > maxQuarantineShare) {
    return {
      code: EXIT.quarantineShare,
      warnings: [
        `WARNING: ${pct(a.quarantineShare)} of the samples were quarantined (${n0(a.quarantined)} of ${n0(a.samplesIn)}), ` +
          `more than --max-quarantine-share ${maxQuarantineShare}: check the quarantine reasons, the format, the pitch size and --tz`,
      ],
    };
  }
  return { code: EXIT.ok, warnings: [] };
}

export async function renderSummary(lake: DuckDbLake, r: PipelineResult, status?: RunStatus): Promise<string> {
  // The run's match, and the sessions its records belong to (a wearable week spans several).
  const m = [...new Set([r.matchId, ...r.sessions])].map(sqlString).join(", ");
  const sources = INSIGHT_SOURCES[r.modality] ?? [];
  const insights = await lake.queryObjects<{
    insight_id: string;
    detail_type: string;
    player_id: string;
    time: Date;
    summary: string;
  }>(
    `SELECT insight_id, detail_type, player_id, time, json_extract_string(detail, '$.summary') AS summary
       FROM insights WHERE match_id IN (${m}) AND source IN (${sources.map(sqlString).join(", ") || "''"})
      ORDER BY time, detail_type, player_id`,
  );
  const quarantine = await lake.queryObjects<{ reason: string; n: number | bigint }>(
    `SELECT regexp_replace(reason, '^[0-9]+ sample\\(s\\) from index [0-9]+: ', '') AS reason, count(*) AS n
       FROM quarantine WHERE match_id IN (${m}) GROUP BY 1 ORDER BY n DESC LIMIT 5`,
  );
  const a = accounting(r);
  const lines: string[] = [];
  // Tracking and pose runs are about a match; a wearables run about training sessions.
  const unit = modalityById(r.modality).accounting.matchColumn === "session_id" ? "session" : "match";
  const what = r.sessions.length > 1 ? `${r.sessions.length} ${unit}s` : `${unit} ${r.matchId}`;
  lines.push(`${what} (${r.modality}): ${n0(r.samplesIn)} samples in ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const w of status?.warnings ?? []) lines.push(w);
  lines.push("");
  lines.push(...(await (HEADLINES[r.modality]?.(lake, r) ?? Promise.resolve([]))));
  lines.push(`Insights fired: ${insights.length}`);
  for (const i of insights) {
    lines.push(
      `  ${i.time.toISOString().slice(11, 16)}  ${i.detail_type.padEnd(26)} ${i.player_id.padEnd(8)} ${i.summary}`,
    );
    lines.push(`         why: npx sideline explain ${i.insight_id}`);
  }
  lines.push(...(await automationLines(lake, r)));
  lines.push("");
  lines.push(
    `Rows: ${n0(r.windows)} ${accountingTable(r)}, ${n0(r.insights)} insights, ` +
      `${n0(r.handler.recordsQuarantined + r.readerQuarantinedRows)} records and ${n0(r.handler.samplesRejectedGroups)} sample groups quarantined`,
  );
  for (const q of quarantine) lines.push(`  quarantine: ${String(q.n).padStart(5)} x ${q.reason}`);
  const passed = r.modality === "tracking" ? ` + ${n0(a.ball)} ball (not profiled)` : "";
  const rows = `${n0(a.inWindows)} in ${accountedIn(r)}${passed} + ${n0(a.quarantined)} quarantined`;
  if (r.incomplete) {
    lines.push(
      `Accounting: INCOMPLETE: ${n0(a.samplesIn)} samples read = ${rows} + ${n0(a.notWritten)} not written ` +
        "(in windows left open, or unsent, when the input stopped)",
    );
  } else {
    const share = a.quarantined > 0 ? `, ${pct(a.quarantineShare)} quarantined` : "";
    lines.push(
      `Accounting: ${n0(a.samplesIn)} samples in = ${rows}  ${a.balanced ? `(balanced${share})` : "(NOT BALANCED: samples were lost)"}`,
    );
  }
  lines.push(
    `Pipeline: ${n0(r.producer.records)} stream records, ${n0(r.esm.invocations)} handler invocations, ` +
      `${n0(r.esm.retries)} retries, ${n0(r.handler.recordsDuplicate)} duplicates skipped, ${n0(r.deadLetters)} bus dead letters`,
  );
  lines.push(
    `Lake: ${r.lakePath}   (try: npx sideline sql "SELECT * FROM ${accountingTable(r)} LIMIT 5" --lake ${r.lakePath})`,
  );
  return printableLines(lines.join("\n"));
}

/** What the front office got: workflow executions, CRM requests, staff notifications, decisions waiting. */
async function automationLines(lake: DuckDbLake, r: PipelineResult): Promise<string[]> {
  if (r.crm === null) return [];
  const ids = [...new Set([r.matchId, ...r.sessions])];
  const lines = ["", "Workflows (stepfunctions/*.asl.json, run by aws-local-stepfunctions)"];
  // From workflow_runs, not only this run's: a rerun of the same match starts no new execution
  // (execution names are deterministic, as StartExecution's are idempotent).
  const runs = await lake.queryObjects<{ state_machine: string; status: string; n: number | bigint }>(
    `SELECT state_machine, status, count(*) AS n FROM workflow_runs
      WHERE json_extract_string(input, '$.detail.match_id') IN (${ids.map(() => "?").join(", ")}) GROUP BY ALL ORDER BY ALL`,
    ids,
  );
  if (runs.length === 0) lines.push("  none started");
  for (const w of runs) lines.push(`  ${`${w.state_machine} ${w.status}`.padEnd(30)} ${w.n}`);
  if (r.recovered.length > 0) {
    const by = (a: string) => r.recovered.filter((x) => x.action === a).length;
    lines.push(
      `  recovered ${r.recovered.length} execution(s) a killed run had left RUNNING: ${by("restarted")} restarted, ${by("resumed")} resumed, ${by("waiting")} waiting`,
    );
  }
  if (r.workflows.length === 0 && runs.length > 0)
    lines.push("  (already run for these insights: no new executions started)");
  for (const w of r.workflows.filter((x) => x.status === "FAILED"))
    lines.push(`  failed: ${w.executionName}: ${w.error}`);
  const c = r.crm;
  if (c.requests.length === 0) lines.push("CRM: no requests in this run");
  else if (c.outboxed > 0)
    lines.push(`CRM: ${c.outboxed} requests recorded in crm_outbox (set SIDELINE_CRM_URL to send them)`);
  else lines.push(`CRM: ${c.sent} sent, ${c.retries} retries, ${c.deadLettered} dead-lettered`);
  for (const q of c.requests) lines.push(`  ${q.operation.padEnd(14)} ${q.player_id.padEnd(10)} ${q.status}`);
  const notes = await lake.queryObjects<{ topic: string; n: number | bigint }>(
    "SELECT topic, count(*) AS n FROM notifications GROUP BY topic ORDER BY topic",
  );
  lines.push(`Staff notified: ${notes.map((n) => `${n.n} ${n.topic}`).join(", ") || "none"}`);
  const alerts = await lake.queryObjects<{ status: string; n: number | bigint }>(
    `SELECT status, count(*) AS n FROM medical_alerts WHERE match_id IN (${ids.map(sqlString).join(", ")}) GROUP BY status ORDER BY status`,
  );
  if (alerts.length > 0) lines.push(`Medical alerts: ${alerts.map((a) => `${a.n} ${a.status}`).join(", ")}`);
  const pending = await lake.queryObjects<{ task_token: string; player_id: string }>(
    "SELECT task_token, player_id FROM pending_decisions WHERE status = 'pending' ORDER BY requested_at",
  );
  if (pending.length > 0) {
    lines.push(`Scout decisions waiting: ${pending.length}`);
    for (const p of pending)
      lines.push(`  ${p.player_id.padEnd(10)} npx sideline decide ${p.task_token} approve|reject --reason "..."`);
  }
  return lines;
}
