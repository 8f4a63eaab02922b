// Test helper: reads JSON text keeping what JSON.parse loses, the kind of each number literal. A
// literal with "." or an exponent (Python's float) becomes a PyFloat, any other number an int, so a
// tree read from inference-perf's file can be written back by pythonJson() and compared byte for byte.
import { PyFloat } from "./py-json.ts";

export type Literal = null | boolean | string | number | PyFloat | Literal[] | { [key: string]: Literal };

export function parseWithLiterals(text: string): Literal {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at}`);
  };
  const skip = () => {
    while (at < text.length && " \t\n\r".includes(text[at] as string)) at++;
  };
  const value = (): Literal => {
    skip();
    const ch = text[at];
    if (ch === "{") {
      at++;
      const out: { [key: string]: Literal } = {};
      skip();
      if (text[at] === "}") {
        at++;
        return out;
      }
      for (;;) {
        skip();
        const key = string();
        skip();
        if (text[at++] !== ":") fail("Expected ':'");
        out[key] = value();
        skip();
        const next = text[at++];
        if (next === "}") return out;
        if (next !== ",") fail("Expected ',' or '}'");
      }
    }
    if (ch === "[") {
      at++;
      const out: Literal[] = [];
      skip();
      if (text[at] === "]") {
        at++;
        return out;
      }
      for (;;) {
        out.push(value());
        skip();
        const next = text[at++];
        if (next === "]") return out;
        if (next !== ",") fail("Expected ',' or ']'");
      }
    }
    if (ch === '"') return string();
    for (const [word, result] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", new PyFloat(Number.NaN)],
      ["Infinity", new PyFloat(Number.POSITIVE_INFINITY)],
      ["-Infinity", new PyFloat(Number.NEGATIVE_INFINITY)],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    const match = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(at, at + 64));
    if (match === null) return fail("Unexpected character");
    at += match[0].length;
    const n = Number(match[0]);
    return match[1] !== undefined || match[2] !== undefined ? new PyFloat(n) : n;
  };
  const string = (): string => {
    if (text[at] !== '"') fail("Expected a string");
    const end = /"(?:[^"\\]|\\.)*"/y;
    end.lastIndex = at;
    const match = end.exec(text);
    if (match === null) return fail("Unterminated string");
    at += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const result = value();
  skip();
  if (at !== text.length) fail("Trailing text");
  return result;
}

/** The kind of a literal for type comparisons: int, float, string, boolean, null, array, object. */
export function literalKind(value: Literal | undefined): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (value instanceof PyFloat) return "float";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return "int";
  return typeof value;
}
