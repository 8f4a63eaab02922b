// Python tokens of a one-line filter lambda (`lambda x: x['benchmark'] == 'gsm8k'`): names and
// keywords, numbers, string literals (escapes decoded as Python does, adjacent ones joined later by the
// parser), operators. What the subset cannot hold (f-strings, bytes, complex numbers, unknown
// characters) is refused here with the column it starts at. Pure.

export type Token =
  | { t: "name"; v: string; at: number }
  | { t: "num"; v: number; at: number }
  | { t: "str"; v: string; at: number }
  | { t: "op"; v: string; at: number }
  | { t: "end"; at: number };

/** A filter the subset cannot read: `at` is the 0-based column, `what` names the construct. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly what: string,
    readonly at: number,
  ) {
    super(what);
    this.name = "FilterSyntaxError";
  }
}

// Longest first, so `**` wins over `*` and `//` over `/`.
const OPERATORS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "->",
  ":=",
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "<<",
  ">>",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  ";",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "=",
  "~",
  "&",
  "|",
  "^",
  "@",
];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    if (c === "#") throw new FilterSyntaxError("a comment", i);
    if (c === "\\") throw new FilterSyntaxError("a line continuation (\\)", i);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (word !== null) {
      const quote = source[i + word[0].length];
      if ((quote === "'" || quote === '"') && /^(r|u|b|f|br|rb|fr|rf)$/i.test(word[0])) {
        const prefix = word[0].toLowerCase();
        if (prefix.includes("f")) throw new FilterSyntaxError("an f-string", i);
        if (prefix.includes("b")) throw new FilterSyntaxError("a bytes literal", i);
        const read = readString(source, i + word[0].length, prefix.includes("r"));
        tokens.push({ t: "str", v: read.value, at: i });
        i = read.end;
        continue;
      }
      tokens.push({ t: "name", v: word[0], at: i });
      i += word[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const read = readString(source, i, false);
      tokens.push({ t: "str", v: read.value, at: i });
      i = read.end;
      continue;
    }
    const number =
      /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)/.exec(
        source.slice(i),
      );
    if (number !== null && number[0] !== ".") {
      const text = number[0];
      if (/^[jJ]/.test(source.slice(i + text.length))) throw new FilterSyntaxError("a complex number", i);
      tokens.push({ t: "num", v: numberValue(text, i), at: i });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) throw new FilterSyntaxError(`the character ${JSON.stringify(c)}`, i);
    tokens.push({ t: "op", v: op, at: i });
    i += op.length;
  }
  tokens.push({ t: "end", at: source.length });
  return tokens;
}

function numberValue(text: string, at: number): number {
  const clean = text.replace(/_/g, "");
  const radix = /^0[xX]/.test(clean) ? 16 : /^0[oO]/.test(clean) ? 8 : /^0[bB]/.test(clean) ? 2 : 10;
  if (radix !== 10) return Number.parseInt(clean.slice(2), radix);
  // Python refuses leading zeros on a non-zero integer (`01`): an octal of Python 2.
  if (/^0\d/.test(clean) && !/[.eE]/.test(clean) && /[1-9]/.test(clean))
    throw new FilterSyntaxError("an integer with a leading zero", at);
  return Number(clean);
}

/** A string literal starting at its opening quote: its value and the index after it. */
function readString(source: string, start: number, raw: boolean): { value: string; end: number } {
  const q = source[start]!;
  const triple = source.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  let value = "";
  while (i < source.length) {
    if (source.startsWith(close, i)) return { value, end: i + close.length };
    const c = source[i]!;
    if (c === "\n" && !triple) break;
    if (c !== "\\") {
      value += c;
      i++;
      continue;
    }
    const next = source[i + 1];
    if (next === undefined) break;
    if (raw) {
      value += c + next; // a raw string keeps the backslash (it only stops the quote closing it)
      i += 2;
      continue;
    }
    const escaped = readEscape(source, i);
    value += escaped.text;
    i = escaped.end;
  }
  throw new FilterSyntaxError("a string that is not closed", start);
}

const SIMPLE: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function readEscape(source: string, at: number): { text: string; end: number } {
  const c = source[at + 1]!;
  if (c in SIMPLE) return { text: SIMPLE[c]!, end: at + 2 };
  const octal = /^[0-7]{1,3}/.exec(source.slice(at + 1));
  if (octal !== null)
    return { text: String.fromCodePoint(Number.parseInt(octal[0], 8)), end: at + 1 + octal[0].length };
  const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  if (width > 0) {
    const hex = source.slice(at + 2, at + 2 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex))
      throw new FilterSyntaxError(`a \\${c} escape without ${width} hex digits`, at);
    return { text: String.fromCodePoint(Number.parseInt(hex, 16)), end: at + 2 + width };
  }
  if (c === "N") throw new FilterSyntaxError("a \\N{…} escape", at);
  return { text: `\\${c}`, end: at + 2 }; // Python keeps an unknown escape as written
}
