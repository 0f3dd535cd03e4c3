/**
 * A small streaming XML tokenizer for activity files (TCX, GPX): start tags with their namespace
 * URI resolved (elements are matched by URI and local name, never by prefix: Garmin's exports
 * choose prefixes freely, e.g. `ns3:` for ActivityExtension), end tags, and text with the five
 * predefined entities and character references decoded. Comments, processing instructions and
 * the DOCTYPE are skipped; CDATA is text. The file is read in chunks, never whole. It checks what
 * it needs to (tags close in order, prefixes are declared); it is not a validating parser.
 * Failures are InputErrors with the line.
 */
import { createReadStream } from "node:fs";
import { describeReadError, InputError, WHOLE_FILE } from "./input-error.js";
import { assertReadable } from "./lines.js";

/** Characters read at a time. */
const CHUNK_BYTES = 1 << 16;
/** The namespace the `xml:` prefix is bound to by definition (Namespaces in XML 1.0, section 3). */
const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";

export type XmlEvent =
  | {
      readonly kind: "open";
      /** Namespace URI ("" when none). */
      readonly uri: string;
      readonly local: string;
      /** Attributes by their name as written (prefix included). */
      readonly attrs: Readonly<Record<string, string>>;
      /** 1-based line of the tag. */
      readonly line: number;
    }
  | { readonly kind: "close"; readonly uri: string; readonly local: string; readonly line: number }
  | { readonly kind: "text"; readonly text: string };

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; leaves unknown ones as written. */
export function decodeXmlText(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** Index of the `>` that ends the tag starting at `from`, outside quoted attribute values; -1 if not in `buf`. */
function tagEnd(buf: string, from: number): number {
  let quote = "";
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i;
  }
  return -1;
}

const countLines = (s: string, from: number, to: number) => {
  let n = 0;
  for (let i = s.indexOf("\n", from); i >= 0 && i < to; i = s.indexOf("\n", i + 1)) n++;
  return n;
};

export async function* readXml(path: string, what: string): AsyncGenerator<XmlEvent> {
  await assertReadable(path);
  let line = 1;
  const fail = (reason: string) => new InputError(path, line - 1, reason, `pass ${what}`);
  /** Open elements: their name as written and the namespaces in scope inside them. */
  const stack: { qname: string; uri: string; local: string; ns: Map<string, string> }[] = [];
  const rootNs = new Map<string, string>([["xml", XML_NAMESPACE]]);
  const resolve = (qname: string, ns: Map<string, string>): { uri: string; local: string } => {
    const colon = qname.indexOf(":");
    const prefix = colon < 0 ? "" : qname.slice(0, colon);
    const uri = ns.get(prefix);
    if (uri === undefined && prefix !== "") throw fail(`namespace prefix '${prefix}' of <${qname}> is not declared`);
    return { uri: uri ?? "", local: colon < 0 ? qname : qname.slice(colon + 1) };
  };
  let sawRoot = false;
  let buf = "";
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      buf += chunk;
      // Before the root, only the prolog may come: a file of other text fails here, not after it is all buffered.
      const first = sawRoot ? null : /^[\s\uFEFF]*(\S)/.exec(buf);
      if (first && first[1] !== "<") throw fail("not XML: the file does not start with '<'");
      let pos = 0;
      for (;;) {
        const lt = buf.indexOf("<", pos);
        const textEnd = lt < 0 ? buf.length : lt;
        if (textEnd > pos) {
          // Text is handed out only once its end is known (the next tag), so it is never cut in two.
          if (lt < 0) break;
          const text = buf.slice(pos, textEnd);
          line += countLines(buf, pos, textEnd);
          if (stack.length > 0) yield { kind: "text", text: decodeXmlText(text) };
          pos = textEnd;
        }
        if (lt < 0) break;
        let end: number;
        if (buf.startsWith("<!--", lt)) {
          end = buf.indexOf("-->", lt + 4);
          if (end < 0) break;
          end += 2;
        } else if (buf.startsWith("<![CDATA[", lt)) {
          end = buf.indexOf("]]>", lt + 9);
          if (end < 0) break;
          if (stack.length > 0) yield { kind: "text", text: buf.slice(lt + 9, end) };
          end += 2;
        } else if (buf.startsWith("<?", lt)) {
          end = buf.indexOf("?>", lt + 2);
          if (end < 0) break;
          end += 1;
        } else if (buf.startsWith("<!", lt)) {
          // DOCTYPE: an internal subset in brackets ends with "]>".
          const bracket = buf.indexOf("[", lt);
          const close = buf.indexOf(">", lt);
          end = bracket >= 0 && bracket < close ? buf.indexOf("]>", bracket) : close;
          if (end < 0) break;
          if (bracket >= 0 && bracket < close) end += 1;
        } else {
          end = tagEnd(buf, lt + 1);
          if (end < 0) break;
          const tag = buf.slice(lt + 1, end);
          if (tag.startsWith("/")) {
            const qname = tag.slice(1).trim();
            const top = stack.pop();
            if (!top || top.qname !== qname)
              throw fail(top ? `</${qname}> closes <${top.qname}>` : `</${qname}> closes no element`);
            yield { kind: "close", uri: top.uri, local: top.local, line };
          } else {
            const selfClosing = tag.endsWith("/");
            const body = selfClosing ? tag.slice(0, -1) : tag;
            const nameEnd = body.search(/[\s]/);
            const qname = nameEnd < 0 ? body : body.slice(0, nameEnd);
            if (qname === "") throw fail("an empty tag name");
            if (sawRoot && stack.length === 0) throw fail(`<${qname}> follows the root element`);
            sawRoot = true;
            const attrs: Record<string, string> = {};
            const outer = stack.at(-1)?.ns ?? rootNs;
            let ns = outer;
            for (const m of (nameEnd < 0 ? "" : body.slice(nameEnd)).matchAll(ATTRIBUTE)) {
              const value = decodeXmlText(m[3] ?? m[4] ?? "");
              attrs[m[1]!] = value;
              if (m[1] === "xmlns" || m[1]!.startsWith("xmlns:")) {
                if (ns === outer) ns = new Map(outer);
                ns.set(m[1] === "xmlns" ? "" : m[1]!.slice(6), value);
              }
            }
            const { uri, local } = resolve(qname, ns);
            const tagLine = line;
            yield { kind: "open", uri, local, attrs, line: tagLine };
            if (selfClosing) yield { kind: "close", uri, local, line: tagLine };
            else stack.push({ qname, uri, local, ns });
          }
        }
        line += countLines(buf, lt, end + 1);
        pos = end + 1;
      }
      buf = buf.slice(pos);
    }
  } catch (e) {
    throw describeReadError(e, path, line - 1);
  } finally {
    stream.destroy();
  }
  if (!sawRoot) throw new InputError(path, WHOLE_FILE, "no XML element in the file", `pass ${what}`);
  if (stack.length > 0 || buf.trim() !== "")
    throw fail(`the XML ends early${stack.length > 0 ? ` inside <${stack.at(-1)!.qname}>` : ""} (truncated?)`);
}
