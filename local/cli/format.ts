/**
 * Renders query results for the terminal: an aligned table (control characters escaped, see
 * terminal.ts), CSV (RFC 4180, the data as it is) or JSON lines.
 */
import type { QueryResult } from "../../lambdas/adapters/local/duckdb-lake.js";
import { printable } from "./terminal.js";

export const OUTPUT_FORMATS = ["table", "csv", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  if (typeof v === "object") return printable(JSON.stringify(v));
  return printable(String(v));
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatResult(r: QueryResult, format: OutputFormat): string {
  if (format === "csv") {
    return [r.columns.map(csvCell).join(","), ...r.rows.map((row) => row.map(csvCell).join(","))].join("\n");
  }
  if (format === "json") {
    return r.rows.map((row) => JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, row[i]])))).join("\n");
  }
  const cells = r.rows.map((row) => row.map(text));
  const widths = r.columns.map((c, i) => Math.max(printable(c).length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(r.columns.map(printable)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
