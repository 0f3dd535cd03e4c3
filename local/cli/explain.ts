/** `sideline explain <insight-id>`: why an insight fired, in words and numbers, and where its picture is. */
import { existsSync } from "node:fs";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import type { Explanation } from "../../lambdas/contracts/events/index.js";

const fmt = (n: number | null) =>
  n === null ? "-" : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
const metrics = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(", ");

export async function explainInsight(
  lake: DuckDbLake,
  insightId: string,
  urlToPath: (url: string) => string,
): Promise<string> {
  const rows = await lake.queryObjects<{ detail_type: string; detail: string; time: Date }>(
    "SELECT detail_type, detail::VARCHAR AS detail, time FROM insights WHERE insight_id = ?",
    [insightId],
  );
  const row = rows[0];
  if (!row) {
    throw new Error(
      `no insight '${insightId}' in the lake: list them with sideline sql "SELECT insight_id, detail_type, player_id FROM insights"`,
    );
  }
  const d = JSON.parse(row.detail) as {
    player_id: string;
    match_id: string;
    team: string | null;
    observed_at: string;
    summary: string;
    explanation: Explanation;
    visual_url: string;
  };
  const e = d.explanation;
  const out: string[] = [];
  out.push(`${row.detail_type}: ${d.player_id} (${d.team ?? "no team"}), ${d.match_id}, at ${d.observed_at}`);
  out.push("", d.summary, "", `Rule: ${e.rule}`, "", "Evidence:");
  out.push(
    `  ${"metric".padEnd(36)} ${"value".padStart(9)} ${"baseline".padStart(9)} ${"threshold".padStart(9)}  share   unit`,
  );
  for (const [name, f] of Object.entries(e.evidence)) {
    out.push(
      `  ${name.padEnd(36)} ${fmt(f.value).padStart(9)} ${fmt(f.baseline).padStart(9)} ${fmt(f.threshold).padStart(9)}  ${`${Math.round(f.contribution * 100)}%`.padStart(5)}   ${f.unit}`,
    );
  }
  out.push("", "Windows that triggered it:");
  for (const w of e.trigger_windows) out.push(`  ${w.window_start} .. ${w.window_end}  ${metrics(w.metrics)}`);
  const b = e.baseline;
  if (b) out.push(`Baseline: ${b.count} windows/days from ${b.first_start} to ${b.last_end}: ${metrics(b.metrics)}`);
  else out.push("Baseline: none (judged against fixed targets)");
  let where = d.visual_url;
  if (where.startsWith("file:")) {
    const path = urlToPath(where);
    where = `${path}${existsSync(path) ? "" : " (missing: the lake was moved or the file deleted)"}`;
  }
  out.push("", `Picture (the evidence and its trend line, SVG): ${where}`);
  return out.join("\n");
}
