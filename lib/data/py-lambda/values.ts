// Python values over JSON data, for the filter evaluator: a record read from JSON is dicts (plain
// objects), lists (arrays), str, numbers, bools and None; the filter itself can also make tuples and
// sets. Equality, ordering, truthiness, `in` and repr follow Python (bool is an int; a list never equals
// a tuple; comparing unlike types raises TypeError). JSON cannot tell 1 from 1.0, so neither can this.
// Pure.

export type PyValue = null | boolean | number | string | PyValue[] | PyTuple | PySet | PyDict;
export type PyDict = { [key: string]: PyValue };

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}
export class PySet {
  constructor(readonly items: readonly PyValue[]) {}
}

/** What Python raises; the evaluator reports it as `TypeError: …`. */
export class PyError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export function typeName(v: PyValue): string {
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PySet) return "set";
  return "dict";
}

export const isNum = (v: PyValue): v is number | boolean => typeof v === "number" || typeof v === "boolean";
export const num = (v: number | boolean): number => (typeof v === "boolean" ? (v ? 1 : 0) : v);
export const isDict = (v: PyValue): v is PyDict =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  !(v instanceof PyTuple) &&
  !(v instanceof PySet);

/** The items of a sequence or collection Python can iterate; null when it cannot. */
export function itemsOf(v: PyValue): readonly PyValue[] | null {
  if (typeof v === "string") return [...v];
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (isDict(v)) return Object.keys(v);
  return null;
}

export function iterate(v: PyValue): readonly PyValue[] {
  const items = itemsOf(v);
  if (items === null) throw new PyError("TypeError", `'${typeName(v)}' object is not iterable`);
  return items;
}

export function truthy(v: PyValue): boolean {
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  const items = itemsOf(v);
  return items !== null && items.length > 0;
}

export function equal(a: PyValue, b: PyValue): boolean {
  if (isNum(a) && isNum(b)) return num(a) === num(b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof PyTuple !== b instanceof PyTuple || a instanceof PySet !== b instanceof PySet)
    return false;
  if (a instanceof PySet && b instanceof PySet)
    return (
      a.items.every((x) => b.items.some((y) => equal(x, y))) &&
      b.items.every((y) => a.items.some((x) => equal(x, y)))
    );
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k]!, b[k]!));
  }
  const x = itemsOf(a)!;
  const y = itemsOf(b)!;
  return x.length === y.length && x.every((v, i) => equal(v, y[i]!));
}

/** -1, 0 or 1 as Python orders `a` and `b`; TypeError where Python has no order (`<` across types). */
export function compare(a: PyValue, b: PyValue, op: string): number {
  if (isNum(a) && isNum(b)) return Math.sign(num(a) - num(b));
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const sequence = (v: PyValue) => Array.isArray(v) || v instanceof PyTuple;
  if (sequence(a) && sequence(b) && Array.isArray(a) === Array.isArray(b)) {
    const x = itemsOf(a)!;
    const y = itemsOf(b)!;
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (!equal(x[i]!, y[i]!)) return compare(x[i]!, y[i]!, op);
    }
    return Math.sign(x.length - y.length);
  }
  throw new PyError(
    "TypeError",
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/** `needle in haystack`. */
export function contains(haystack: PyValue, needle: PyValue): boolean {
  if (typeof haystack === "string") {
    if (typeof needle !== "string")
      throw new PyError(
        "TypeError",
        `'in <string>' requires string as left operand, not ${typeName(needle)}`,
      );
    return haystack.includes(needle);
  }
  if (isDict(haystack)) return typeof needle === "string" && Object.hasOwn(haystack, needle);
  const items = itemsOf(haystack);
  if (items === null)
    throw new PyError("TypeError", `argument of type '${typeName(haystack)}' is not iterable`);
  return items.some((item) => equal(item, needle));
}

/** Python's repr(), as str() prints values inside containers. */
export function repr(v: PyValue): string {
  if (typeof v === "string") return pyStringRepr(v);
  if (isDict(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyStringRepr(k)}: ${repr(x)}`)
      .join(", ")}}`;
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (v instanceof PyTuple)
    return v.items.length === 1 ? `(${repr(v.items[0]!)},)` : `(${v.items.map(repr).join(", ")})`;
  if (v instanceof PySet) return v.items.length === 0 ? "set()" : `{${v.items.map(repr).join(", ")}}`;
  return str(v);
}

/** Python's str(). */
export function str(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (typeof v === "string") return v;
  return repr(v);
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of s) {
    if (c === quote || c === "\\") out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c < " " || c === "\x7f") out += `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out + quote;
}
