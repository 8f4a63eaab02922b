// Evaluates a parsed filter lambda on one record, as Python would: `and`/`or` short-circuit and return
// an operand, comparisons chain, arithmetic follows Python's rules (true division, floor division and
// modulo with the divisor's sign, `+` joining strings and lists), subscripts raise KeyError/IndexError.
// A record is JSON (dicts, lists, str, numbers, bools, None). Python's exceptions come out as PyError.
// Pure.
import { callBuiltin, invokeMethod } from "./builtins.ts";
import type { Node, ParsedLambda } from "./parse.ts";
import {
  compare,
  contains,
  equal,
  isDict,
  isNum,
  num,
  PyError,
  PySet,
  PyTuple,
  type PyValue,
  repr,
  truthy,
  typeName,
} from "./values.ts";

/** `bool(filter(record))`: whether the record is kept. */
export function keeps(lambda: ParsedLambda, record: PyValue): boolean {
  return truthy(evaluate(lambda.body, record));
}

export function evaluate(node: Node, arg: PyValue): PyValue {
  const ev = (n: Node) => evaluate(n, arg);
  switch (node.k) {
    case "const":
      return node.v;
    case "arg":
      return arg;
    case "list":
      return node.items.map(ev);
    case "tuple":
      return new PyTuple(node.items.map(ev));
    case "set": {
      const items: PyValue[] = [];
      for (const v of node.items.map(ev)) if (!items.some((x) => equal(x, v))) items.push(v);
      return new PySet(items);
    }
    case "dict": {
      const out: Record<string, PyValue> = {};
      node.keys.forEach((k, i) => {
        const key = ev(k);
        if (typeof key !== "string")
          throw new PyError(
            "TypeError",
            `a dict key of type '${typeName(key)}' (only str keys are supported)`,
          );
        out[key] = ev(node.values[i]!);
      });
      return out;
    }
    case "and": {
      let v: PyValue = true;
      for (const item of node.items) if (!truthy((v = ev(item)))) return v;
      return v;
    }
    case "or": {
      let v: PyValue = false;
      for (const item of node.items) if (truthy((v = ev(item)))) return v;
      return v;
    }
    case "not":
      return !truthy(ev(node.x));
    case "if":
      return truthy(ev(node.test)) ? ev(node.a) : ev(node.b);
    case "cmp": {
      let left = ev(node.first);
      for (let i = 0; i < node.ops.length; i++) {
        const right = ev(node.rest[i]!);
        if (!compareOp(node.ops[i]!, left, right)) return false;
        left = right;
      }
      return true;
    }
    case "neg":
    case "pos": {
      const v = ev(node.x);
      if (!isNum(v))
        throw new PyError(
          "TypeError",
          `bad operand type for unary ${node.k === "neg" ? "-" : "+"}: '${typeName(v)}'`,
        );
      return node.k === "neg" ? -num(v) : num(v);
    }
    case "bin":
      return binary(node.op, ev(node.a), ev(node.b));
    case "index":
      return index(ev(node.x), ev(node.i));
    case "slice":
      return slice(ev(node.x), node.lo && ev(node.lo), node.hi && ev(node.hi), node.step && ev(node.step));
    case "call":
      return callBuiltin(node.fn, node.args.map(ev));
    case "method":
      return invokeMethod(ev(node.x), node.name, node.args.map(ev));
  }
}

function compareOp(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    // Identity: None, True and False are singletons; other values compare as the same object when equal
    // and of one type (what CPython gives for the small ints and short strings a filter holds).
    case "is":
      return a === b || (typeName(a) === typeName(b) && typeof a !== "object" && equal(a, b));
    case "is not":
      return !compareOp("is", a, b);
    case "<":
      return compare(a, b, op) < 0;
    case "<=":
      return compare(a, b, op) <= 0;
    case ">":
      return compare(a, b, op) > 0;
    default:
      return compare(a, b, op) >= 0;
  }
}

function unsupported(op: string, a: PyValue, b: PyValue): never {
  throw new PyError(
    "TypeError",
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  );
}

function repeat(seq: PyValue, times: number): PyValue {
  const n = Math.max(0, Math.trunc(times));
  if (typeof seq === "string") return seq.repeat(n);
  const items = Array.isArray(seq) ? seq : (seq as PyTuple).items;
  const out: PyValue[] = [];
  for (let i = 0; i < n; i++) out.push(...items);
  return Array.isArray(seq) ? out : new PyTuple(out);
}

function binary(op: string, a: PyValue, b: PyValue): PyValue {
  if (isNum(a) && isNum(b)) {
    const x = num(a);
    const y = num(b);
    if ((op === "/" || op === "//" || op === "%") && y === 0)
      throw new PyError(
        "ZeroDivisionError",
        op === "/" ? "division by zero" : "integer division or modulo by zero",
      );
    switch (op) {
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      case "/":
        return x / y;
      case "//":
        return Math.floor(x / y);
      case "%":
        return x - y * Math.floor(x / y); // the result takes the divisor's sign, as in Python
      default:
        return x ** y;
    }
  }
  const seq = (v: PyValue) => typeof v === "string" || Array.isArray(v) || v instanceof PyTuple;
  if (op === "+") {
    if (typeof a === "string" && typeof b === "string") return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
  }
  if (op === "*" && seq(a) && isNum(b) && typeof b !== "boolean") return repeat(a, b);
  if (op === "*" && seq(b) && isNum(a) && typeof a !== "boolean") return repeat(b, a);
  if (op === "%" && typeof a === "string")
    throw new PyError("TypeError", "string formatting with % is not supported in a filter");
  return unsupported(op, a, b);
}

function position(i: number, length: number): number {
  return i < 0 ? i + length : i;
}

function index(x: PyValue, i: PyValue): PyValue {
  if (isDict(x)) {
    if (typeof i === "string" && Object.hasOwn(x, i)) return x[i]!;
    throw new PyError("KeyError", repr(i));
  }
  const items = typeof x === "string" ? [...x] : Array.isArray(x) ? x : x instanceof PyTuple ? x.items : null;
  if (items === null) throw new PyError("TypeError", `'${typeName(x)}' object is not subscriptable`);
  if (!isNum(i))
    throw new PyError("TypeError", `${typeName(x)} indices must be integers or slices, not ${typeName(i)}`);
  const k = position(num(i), items.length);
  if (!Number.isInteger(k) || k < 0 || k >= items.length)
    throw new PyError("IndexError", `${typeName(x)} index out of range`);
  return items[k]!;
}

function slice(x: PyValue, lo: PyValue, hi: PyValue, step: PyValue): PyValue {
  const items = typeof x === "string" ? [...x] : Array.isArray(x) ? x : x instanceof PyTuple ? x.items : null;
  if (items === null) throw new PyError("TypeError", `'${typeName(x)}' object is not subscriptable`);
  const bound = (v: PyValue, name: string): number | null => {
    if (v === null) return null;
    if (!isNum(v)) throw new PyError("TypeError", `slice ${name} must be an integer or None`);
    return num(v);
  };
  const s = bound(step, "step") ?? 1;
  if (s === 0) throw new PyError("ValueError", "slice step cannot be zero");
  const n = items.length;
  const clamp = (v: number | null, fallback: number, lowest: number, highest: number) => {
    if (v === null) return fallback;
    const p = position(v, n);
    return Math.min(Math.max(p, lowest), highest);
  };
  const start = s > 0 ? clamp(bound(lo, "start"), 0, 0, n) : clamp(bound(lo, "start"), n - 1, -1, n - 1);
  const stop = s > 0 ? clamp(bound(hi, "stop"), n, 0, n) : clamp(bound(hi, "stop"), -1, -1, n - 1);
  const out: PyValue[] = [];
  for (let k = start; s > 0 ? k < stop : k > stop; k += s) out.push(items[k]!);
  if (typeof x === "string") return (out as string[]).join("");
  return Array.isArray(x) ? out : new PyTuple(out);
}
