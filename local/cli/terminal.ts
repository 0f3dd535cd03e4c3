/**
 * Text from input files (names, lines, reasons that quote them) made safe for a terminal: control
 * characters, escape sequences and bidirectional overrides are shown as \xNN / \u{NNNN} escapes,
 * so a binary file cannot move the cursor, recolour or retitle the terminal, or hide text.
 */

/** Bidirectional and other invisible format characters that reorder or hide what is shown. */
const INVISIBLE = new Set([0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0xfeff]);
const isBidi = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);

function escaped(c: number): string {
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u{${c.toString(16)}}`;
}

/** `s` with every control or invisible character escaped (newlines too: the result is one line). */
export function printable(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) || INVISIBLE.has(c) || isBidi(c) ? escaped(c) : ch;
  }
  return out;
}

/** Multi-line text (a summary, a table) with each line made printable. */
export function printableLines(s: string): string {
  return s
    .split("\n")
    .map((l) => printable(l))
    .join("\n");
}
