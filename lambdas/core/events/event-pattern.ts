/**
 * EventBridge event pattern matching, following AWS's documented semantics ("Amazon EventBridge
 * event patterns" and "Content filtering in Amazon EventBridge event patterns"):
 * - every field in the pattern must match; fields the pattern does not name are ignored;
 * - a leaf is an array of alternatives; if the event value is an array, any element may match;
 * - alternatives are literals (exact, case-sensitive; `null` matches null) or content filters:
 *   prefix, suffix (either with equals-ignore-case), anything-but (value, list, prefix, suffix,
 *   equals-ignore-case, wildcard), numeric ranges, exists, equals-ignore-case, wildcard, cidr (IPv4);
 * - `$or` takes a list of patterns, any of which may match.
 */
export type Pattern = { readonly [key: string]: unknown };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function wildcardRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "\\" && (glob[i + 1] === "*" || glob[i + 1] === "\\")) {
      re += `\\${glob[++i]}`;
    } else if (ch === "*") re += ".*";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function cidrMatch(cidr: string, v: unknown): boolean {
  if (typeof v !== "string") return false;
  const [net, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const a = ipv4(net ?? "");
  const b = ipv4(v);
  if (a === null || b === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function stringOp(spec: unknown, v: unknown, test: (value: string, operand: string) => boolean): boolean {
  if (typeof v !== "string") return false;
  if (typeof spec === "string") return test(v, spec);
  if (isObj(spec) && typeof spec["equals-ignore-case"] === "string") {
    return test(v.toLowerCase(), spec["equals-ignore-case"].toLowerCase());
  }
  throw new Error(`invalid pattern operand: ${JSON.stringify(spec)}`);
}

function numericMatch(spec: unknown, v: unknown): boolean {
  if (typeof v !== "number" || !Array.isArray(spec)) return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const n = spec[i + 1] as number;
    const ok =
      op === "="
        ? v === n
        : op === ">"
          ? v > n
          : op === ">="
            ? v >= n
            : op === "<"
              ? v < n
              : op === "<="
                ? v <= n
                : null;
    if (ok === null) throw new Error(`invalid numeric operator '${String(op)}'`);
    if (!ok) return false;
  }
  return true;
}

function matchValue(cond: unknown, v: unknown): boolean {
  if (!isObj(cond)) return cond === v;
  const [op, spec] = Object.entries(cond)[0] ?? [];
  switch (op) {
    case "prefix":
      return stringOp(spec, v, (s, p) => s.startsWith(p));
    case "suffix":
      return stringOp(spec, v, (s, p) => s.endsWith(p));
    case "equals-ignore-case":
      return typeof v === "string" && typeof spec === "string" && v.toLowerCase() === spec.toLowerCase();
    case "wildcard":
      return typeof v === "string" && typeof spec === "string" && wildcardRegex(spec).test(v);
    case "numeric":
      return numericMatch(spec, v);
    case "cidr":
      return typeof spec === "string" && cidrMatch(spec, v);
    case "anything-but":
      if (Array.isArray(spec)) return !spec.some((s) => s === v);
      if (isObj(spec)) return (typeof v === "string" || typeof v === "number") && !matchValue(spec, v);
      return v !== spec;
    default:
      throw new Error(`unsupported pattern operator '${String(op)}'`);
  }
}

function matchLeaf(conds: readonly unknown[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return conds.some((c) => {
    if (isObj(c) && "exists" in c) return c.exists === true ? present && value !== null : !present;
    if (!present) return false;
    return values.some((v) => matchValue(c, v));
  });
}

function matchObject(pattern: Pattern, event: unknown): boolean {
  for (const [key, p] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(p) || !p.some((alt) => matchObject(alt as Pattern, event))) return false;
      continue;
    }
    const present = isObj(event) && key in event && event[key] !== undefined;
    const value = present ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(p)) {
      if (!matchLeaf(p, value, present)) return false;
    } else if (isObj(p)) {
      if (!matchObject(p, isObj(value) ? value : undefined)) return false;
    } else {
      throw new Error(`invalid pattern at '${key}': a leaf must be an array of values or filters`);
    }
  }
  return true;
}

/** True when the event (the full envelope: source, detail-type, detail...) matches the pattern. */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  return matchObject(pattern, event);
}
