// The builtin functions and methods a filter may call, each as Python defines it for the types a JSON
// record holds. (inference-perf evaluates its filter with no builtins at all, so there `len(...)` raises
// NameError; these are a superset that makes its own documented example work.) Pure.
import {
  compare,
  equal,
  isDict,
  isNum,
  iterate,
  num,
  PyError,
  PyTuple,
  type PyValue,
  str,
  truthy,
  typeName,
} from "./values.ts";

type Fn = (args: PyValue[]) => PyValue;

function arity(name: string, args: PyValue[], min: number, max: number): void {
  if (args.length >= min && args.length <= max) return;
  const expected = min === max ? `${min}` : `${min} to ${max}`;
  throw new PyError("TypeError", `${name}() takes ${expected} arguments (${args.length} given)`);
}

/** `f` after checking the number of arguments, as Python does before running a builtin. */
function fixed(name: string, min: number, max: number, f: Fn): Fn {
  return (args) => {
    arity(name, args, min, max);
    return f(args);
  };
}

function fixed2<T>(name: string, min: number, max: number, f: (self: T, args: PyValue[]) => PyValue) {
  return (self: T, args: PyValue[]): PyValue => {
    arity(name, args, min, max);
    return f(self, args);
  };
}

function toInt(v: PyValue): number {
  if (isNum(v)) return Math.trunc(num(v));
  if (typeof v === "string" && /^\s*[+-]?\d[\d_]*\s*$/.test(v) && !/__|_\s*$|\d_$/.test(v.trim()))
    return Number.parseInt(v.replace(/_/g, ""), 10);
  throw new PyError("ValueError", `invalid literal for int() with base 10: ${JSON.stringify(v)}`);
}

function toFloat(v: PyValue): number {
  if (isNum(v)) return num(v);
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(t)) return Number.NaN;
    if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$/.test(t)) return Number(t.replace(/_/g, ""));
  }
  throw new PyError("ValueError", `could not convert string to float: ${JSON.stringify(str(v))}`);
}

function extreme(name: string, args: PyValue[], sign: number): PyValue {
  if (args.length === 0) throw new PyError("TypeError", `${name} expected at least 1 argument, got 0`);
  const items = args.length === 1 ? iterate(args[0]!) : args;
  if (items.length === 0) throw new PyError("ValueError", `${name}() arg is an empty sequence`);
  let best: PyValue = items[0] as PyValue;
  for (const item of items.slice(1)) if (compare(item, best, sign < 0 ? "<" : ">") === sign) best = item;
  return best;
}

const FUNCTIONS: Record<string, Fn> = {
  len: (a) => {
    arity("len", a, 1, 1);
    const v = a[0]!;
    if (typeof v === "string") return [...v].length;
    if (v === null || typeof v !== "object")
      throw new PyError("TypeError", `object of type '${typeName(v)}' has no len()`);
    return iterate(v).length;
  },
  str: fixed("str", 0, 1, (a) => (a.length === 0 ? "" : str(a[0]!))),
  int: fixed("int", 0, 1, (a) => (a.length === 0 ? 0 : toInt(a[0]!))),
  float: fixed("float", 0, 1, (a) => (a.length === 0 ? 0 : toFloat(a[0]!))),
  bool: fixed("bool", 0, 1, (a) => a.length > 0 && truthy(a[0]!)),
  abs: (a) => {
    arity("abs", a, 1, 1);
    const v = a[0]!;
    if (!isNum(v)) throw new PyError("TypeError", `bad operand type for abs(): '${typeName(v)}'`);
    return Math.abs(num(v));
  },
  min: (a) => extreme("min", a, -1),
  max: (a) => extreme("max", a, 1),
  sum: (a) => {
    arity("sum", a, 1, 2);
    let total: number = a.length > 1 ? (isNum(a[1]!) ? num(a[1]! as number) : Number.NaN) : 0;
    for (const item of iterate(a[0]!)) {
      if (!isNum(item))
        throw new PyError("TypeError", `unsupported operand type(s) for +: 'int' and '${typeName(item)}'`);
      total += num(item);
    }
    return total;
  },
  any: fixed("any", 1, 1, (a) => iterate(a[0]!).some(truthy)),
  all: fixed("all", 1, 1, (a) => iterate(a[0]!).every(truthy)),
};

export const BUILTINS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

export function callBuiltin(name: string, args: PyValue[]): PyValue {
  return FUNCTIONS[name]!(args);
}

function needStr(method: string, v: PyValue): string {
  if (typeof v !== "string") throw new PyError("TypeError", `${method} arg must be str, not ${typeName(v)}`);
  return v;
}

/** str.startswith / endswith: a str or a tuple of them, with optional start and end. */
function affix(s: string, args: PyValue[], method: string, test: (s: string, a: string) => boolean): boolean {
  arity(method, args, 1, 3);
  const lo = args.length > 1 && args[1] !== null ? toInt(args[1]!) : 0;
  const hi = args.length > 2 && args[2] !== null ? toInt(args[2]!) : s.length;
  const part = s.slice(lo < 0 ? Math.max(0, s.length + lo) : lo, hi < 0 ? s.length + hi : hi);
  const what = args[0]!;
  const options = what instanceof PyTuple ? what.items : [what];
  return options.some((o) => {
    if (typeof o !== "string")
      throw new PyError("TypeError", `${method} first arg must be str or a tuple of str, not ${typeName(o)}`);
    return test(part, o);
  });
}

function strip(s: string, args: PyValue[], name: string, left: boolean, right: boolean): string {
  arity(name, args, 0, 1);
  const chars = args.length > 0 && args[0] !== null ? needStr(name, args[0]!) : null;
  const drop = (c: string) => (chars === null ? /\s/.test(c) : chars.includes(c));
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  while (left && a < b && drop(cs[a]!)) a++;
  while (right && b > a && drop(cs[b - 1]!)) b--;
  return cs.slice(a, b).join("");
}

const STR_METHODS: Record<string, (s: string, args: PyValue[]) => PyValue> = {
  startswith: (s, a) => affix(s, a, "startswith", (x, p) => x.startsWith(p)),
  endswith: (s, a) => affix(s, a, "endswith", (x, p) => x.endsWith(p)),
  lower: fixed2("lower", 0, 0, (s, _a) => s.toLowerCase()),
  upper: fixed2("upper", 0, 0, (s, _a) => s.toUpperCase()),
  strip: (s, a) => strip(s, a, "strip", true, true),
  lstrip: (s, a) => strip(s, a, "lstrip", true, false),
  rstrip: (s, a) => strip(s, a, "rstrip", false, true),
  split: (s, a) => {
    arity("split", a, 0, 2);
    const sep = a.length > 0 && a[0] !== null ? needStr("split", a[0]!) : null;
    const max = a.length > 1 ? toInt(a[1]!) : -1;
    if (sep === "") throw new PyError("ValueError", "empty separator");
    const parts =
      sep === null
        ? s
            .trim()
            .split(/\s+/)
            .filter((p) => p !== "")
        : s.split(sep);
    if (max < 0 || parts.length <= max + 1) return parts;
    const joiner = sep ?? " ";
    return [...parts.slice(0, max), parts.slice(max).join(joiner)];
  },
  replace: (s, a) => {
    arity("replace", a, 2, 3);
    const from = needStr("replace", a[0]!);
    const to = needStr("replace", a[1]!);
    const count = a.length > 2 ? toInt(a[2]!) : -1;
    const parts = s.split(from);
    if (count < 0 || parts.length - 1 <= count) return parts.join(to);
    return parts.slice(0, count + 1).join(to) + from + parts.slice(count + 1).join(from);
  },
  find: fixed2("find", 1, 1, (s, a) => s.indexOf(needStr("find", a[0]!))),
  count: (s, a) => {
    arity("count", a, 1, 1);
    const sub = needStr("count", a[0]!);
    return sub === "" ? [...s].length + 1 : s.split(sub).length - 1;
  },
  isdigit: fixed2("isdigit", 0, 0, (s, _a) => /^\d+$/u.test(s)),
};

const DICT_METHODS: Record<string, (d: Record<string, PyValue>, args: PyValue[]) => PyValue> = {
  get: (d, a) => {
    arity("get", a, 1, 2);
    const key = a[0]!;
    const fallback = a.length > 1 ? a[1]! : null;
    return typeof key === "string" && Object.hasOwn(d, key) ? d[key]! : fallback;
  },
  keys: fixed2("keys", 0, 0, (d, _a) => Object.keys(d)),
  values: fixed2("values", 0, 0, (d, _a) => Object.values(d)),
  items: fixed2("items", 0, 0, (d, _a) => Object.entries(d).map(([k, v]) => new PyTuple([k, v]))),
};

const LIST_METHODS: Record<string, (l: readonly PyValue[], args: PyValue[]) => PyValue> = {
  count: fixed2("count", 1, 1, (l, a) => l.filter((x) => equal(x, a[0]!)).length),
  index: (l, a) => {
    arity("index", a, 1, 1);
    const i = l.findIndex((x) => equal(x, a[0]!));
    if (i < 0) throw new PyError("ValueError", "x not in list");
    return i;
  },
};

export const METHODS: ReadonlySet<string> = new Set([
  ...Object.keys(STR_METHODS),
  ...Object.keys(DICT_METHODS),
  ...Object.keys(LIST_METHODS),
]);

/** `self.name(*args)`, or AttributeError where Python's type has no such method. */
export function invokeMethod(self: PyValue, name: string, args: PyValue[]): PyValue {
  if (typeof self === "string" && name in STR_METHODS) return STR_METHODS[name]!(self, args);
  if (isDict(self) && name in DICT_METHODS) return DICT_METHODS[name]!(self, args);
  if ((Array.isArray(self) || self instanceof PyTuple) && name in LIST_METHODS)
    return LIST_METHODS[name]!(Array.isArray(self) ? self : self.items, args);
  throw new PyError("AttributeError", `'${typeName(self)}' object has no attribute '${name}'`);
}
