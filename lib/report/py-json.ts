// JSON text byte for byte as Python's `json.dumps(value, indent=…)` writes it, which is how
// inference-perf writes its report files. Pure.
//
// What differs from JSON.stringify:
// - Python keeps int and float apart: a float is always written with a "." or an exponent (`2.0`,
//   `1e-05`), an int never is. JavaScript has one number type, so a float-typed value is marked with
//   pyFloat(); an unmarked number is written as an int when it is whole, else as a float.
// - Floats are Python's repr: the same shortest round-trip digits as JavaScript, but exponent form
//   for exponents below -4 or from 16 up, with a signed, two-digit exponent (`1.77e-06`, `1e+16`).
// - ensure_ascii: every character outside printable ASCII is escaped as `\uXXXX` (lower-case hex,
//   surrogate pairs for astral characters).
// - Separators: `", "` and `": "` on one line without indent; `","` at line ends with indent.
//   No trailing newline.
// NaN and ±Infinity are written as Python writes them (`NaN`, `Infinity`, `-Infinity`).

/** A number Python would hold as a float. JSON.stringify sees a plain number (toJSON). */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Every value of a summary (distribution) marked as a float, keys in order; null stays null. */
export function pyFloats(summary: Readonly<Record<string, number>> | null): Record<string, PyFloat> | null {
  if (summary === null) return null;
  const out: Record<string, PyFloat> = {};
  for (const key in summary) out[key] = new PyFloat(summary[key] as number);
  return out;
}

export interface PythonJsonOptions {
  /** Spaces per level, as `indent=` (null: one line, Python's default). */
  indent?: number | null;
}

export function pythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  const indent = options.indent ?? null;
  return encode(value, indent, 0) ?? "null";
}

function encode(value: unknown, indent: number | null, level: number): string | undefined {
  if (value === null) return "null";
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value);
    case "string":
      return pyString(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return encode(toJSON.call(value), indent, level);
  const items: string[] = [];
  const isArray = Array.isArray(value);
  if (isArray) {
    for (const item of value) items.push(encode(item, indent, level + 1) ?? "null");
  } else {
    for (const [key, item] of Object.entries(value as object)) {
      const encoded = encode(item, indent, level + 1);
      if (encoded !== undefined) items.push(`${pyString(key)}: ${encoded}`);
    }
  }
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (items.length === 0) return `${open}${close}`;
  if (indent === null) return `${open}${items.join(", ")}${close}`;
  const inner = `\n${" ".repeat(indent * (level + 1))}`;
  return `${open}${inner}${items.join(`,${inner}`)}\n${" ".repeat(indent * level)}${close}`;
}

function pyIntRepr(value: number): string {
  // -0 is an int zero in Python; beyond 1e21 String() would switch to exponent form.
  return value === 0 ? "0" : Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
}

/** Python's `repr(float)`. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const { digits, exponent } = shortestDigits(Math.abs(value));
  let body: string;
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    body = `${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  } else if (exponent < 0) {
    body = `0.${"0".repeat(-exponent - 1)}${digits}`;
  } else if (digits.length > exponent + 1) {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    body = `${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  }
  return value < 0 ? `-${body}` : body;
}

/**
 * The shortest digits that round-trip (no leading or trailing zeros) and the decimal exponent of the
 * first one, read off Number#toString: ECMAScript and Python's repr (David Gay's shortest mode) pick
 * the same digits, the shortest string that reads back as the same double, nearest when several do.
 */
function shortestDigits(positive: number): { digits: string; exponent: number } {
  const text = String(positive);
  const e = text.indexOf("e");
  if (e >= 0) {
    return { digits: text.slice(0, e).replace(".", ""), exponent: Number(text.slice(e + 1)) };
  }
  const dot = text.indexOf(".");
  const whole = dot < 0 ? text : text.slice(0, dot);
  const fraction = dot < 0 ? "" : text.slice(dot + 1);
  if (whole !== "0") {
    return { digits: (whole + fraction).replace(/0+$/, ""), exponent: whole.length - 1 };
  }
  const zeros = fraction.length - fraction.replace(/^0+/, "").length;
  return { digits: fraction.slice(zeros), exponent: -(zeros + 1) };
}

const shortEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** Python's ensure_ascii string: escape `"`, `\` and everything outside U+0020..U+007E. */
function pyString(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  const escaped = text.replace(/["\\\u0000-\u001f\u007f-\uffff]/g, (ch) => {
    return shortEscapes[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}
