// A Python filter lambda (inference-perf's `filter: "lambda x: …"`) → a small syntax tree, for the
// subset such filters use: the record's subscripts and methods, comparisons (chained, `in`, `is`),
// `and`/`or`/`not`, `… if … else …`, arithmetic, literals (numbers, strings, None/True/False, lists,
// tuples, sets, dicts) and the builtins of builtins.ts. Precedence is Python's. Whatever lies outside
// (comprehensions, nested lambdas, attribute reads, other names, keyword arguments, bitwise
// operators…) is refused by name, with its column. Pure.
import { BUILTINS, METHODS } from "./builtins.ts";
import { FilterSyntaxError, type Token, tokenize } from "./tokens.ts";
import type { PyValue } from "./values.ts";

export type Node =
  | { k: "const"; v: PyValue }
  | { k: "arg" }
  | { k: "list" | "tuple" | "set"; items: Node[] }
  | { k: "dict"; keys: Node[]; values: Node[] }
  | { k: "and" | "or"; items: Node[] }
  | { k: "not"; x: Node }
  | { k: "cmp"; first: Node; ops: string[]; rest: Node[] }
  | { k: "bin"; op: string; a: Node; b: Node }
  | { k: "neg" | "pos"; x: Node }
  | { k: "if"; test: Node; a: Node; b: Node }
  | { k: "index"; x: Node; i: Node }
  | { k: "slice"; x: Node; lo: Node | null; hi: Node | null; step: Node | null }
  | { k: "call"; fn: string; args: Node[] }
  | { k: "method"; x: Node; name: string; args: Node[]; at: number };

export interface ParsedLambda {
  /** The lambda's parameter name (`x`). */
  param: string;
  body: Node;
}

const REFUSED_KEYWORDS: Record<string, string> = {
  for: "a comprehension (for … in …)",
  async: "async",
  await: "await",
  yield: "yield",
  lambda: "a nested lambda",
};
const OTHER_KEYWORDS = new Set([
  "import",
  "from",
  "as",
  "def",
  "class",
  "del",
  "global",
  "nonlocal",
  "assert",
  "pass",
  "raise",
  "return",
  "try",
  "except",
  "finally",
  "while",
  "with",
  "break",
  "continue",
  "elif",
]);
const UNARY_REFUSED: Record<string, string> = {
  "~": "the bitwise operator ~",
  "*": "unpacking (*)",
  "**": "unpacking (**)",
};
const BINARY_REFUSED = new Set(["|", "^", "&", "<<", ">>", "@"]);

export function parseLambda(source: string): ParsedLambda {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const isOp = (v: string, t: Token = peek()) => t.t === "op" && t.v === v;
  const isName = (v: string, t: Token = peek()) => t.t === "name" && t.v === v;
  const fail = (what: string, t: Token = peek()): never => {
    throw new FilterSyntaxError(what, t.at);
  };
  const expectOp = (v: string) => {
    if (!isOp(v)) fail(`${describe(peek())} where ${JSON.stringify(v)} was expected`);
    next();
  };

  // Constructs refused wherever they stand, named before anything they would make look wrong
  // (a comprehension's loop variable would otherwise read as an unknown name).
  tokens.forEach((t, i) => {
    if (t.t === "name" && t.v in REFUSED_KEYWORDS && !(i === 0 && t.v === "lambda"))
      fail(REFUSED_KEYWORDS[t.v]!, t);
    if (t.t === "op" && t.v === ":=") fail(describe(t), t);
    if (t.t === "name" && OTHER_KEYWORDS.has(t.v)) fail(`the keyword ${t.v}`, t);
  });
  if (!isName("lambda"))
    fail("an expression that is not a lambda: a filter is `lambda x: <condition on the record x>`");
  next();
  const params: string[] = [];
  while (!isOp(":")) {
    const t = next();
    if (t.t !== "name") fail(`${describe(t)} in the lambda's parameters (only one plain name is allowed)`, t);
    params.push((t as { v: string }).v);
    if (isOp("=")) fail("a default value for a lambda parameter");
    if (isOp(",")) next();
    else if (!isOp(":")) fail(`${describe(peek())} in the lambda's parameters`);
  }
  const [param] = params;
  if (params.length !== 1 || param === undefined)
    fail(`a lambda of ${params.length} parameters: a filter takes one, the record`, tokens[0]!);
  next(); // ':'
  const arg = param as string;

  function test(): Node {
    if (isName("lambda")) fail(REFUSED_KEYWORDS.lambda!);
    const a = orTest();
    if (!isName("if")) return a;
    next();
    const cond = orTest();
    if (!isName("else")) fail(`${describe(peek())} where "else" was expected`);
    next();
    return { k: "if", test: cond, a, b: test() };
  }
  function orTest(): Node {
    const items = [andTest()];
    while (isName("or")) {
      next();
      items.push(andTest());
    }
    return items.length === 1 ? items[0]! : { k: "or", items };
  }
  function andTest(): Node {
    const items = [notTest()];
    while (isName("and")) {
      next();
      items.push(notTest());
    }
    return items.length === 1 ? items[0]! : { k: "and", items };
  }
  function notTest(): Node {
    if (!isName("not")) return comparison();
    next();
    return { k: "not", x: notTest() };
  }
  function comparison(): Node {
    const first = arith();
    const ops: string[] = [];
    const rest: Node[] = [];
    for (;;) {
      const t = peek();
      let op: string | null = null;
      if (t.t === "op" && ["<", ">", "==", ">=", "<=", "!="].includes(t.v)) op = t.v;
      else if (isName("in")) op = "in";
      else if (isName("not") && isName("in", tokens[pos + 1]!)) op = "not in";
      else if (isName("is")) op = isName("not", tokens[pos + 1]!) ? "is not" : "is";
      if (op === null) break;
      pos += op.includes(" ") ? 2 : 1;
      ops.push(op);
      rest.push(arith());
    }
    if (peek().t === "op" && BINARY_REFUSED.has((peek() as { v: string }).v))
      fail(`the bitwise operator ${(peek() as { v: string }).v}`);
    return ops.length === 0 ? first : { k: "cmp", first, ops, rest };
  }
  function arith(): Node {
    let a = term();
    while (isOp("+") || isOp("-")) {
      const op = next() as { v: string };
      a = { k: "bin", op: op.v, a, b: term() };
    }
    return a;
  }
  function term(): Node {
    let a = factor();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      const op = next() as { v: string };
      a = { k: "bin", op: op.v, a, b: factor() };
    }
    return a;
  }
  function factor(): Node {
    if (isOp("-") || isOp("+")) {
      const op = next() as { v: string };
      return { k: op.v === "-" ? "neg" : "pos", x: factor() };
    }
    const t = peek();
    if (t.t === "op" && t.v in UNARY_REFUSED) fail(UNARY_REFUSED[t.v]!);
    const base = primary();
    if (!isOp("**")) return base;
    next();
    return { k: "bin", op: "**", a: base, b: factor() };
  }
  function primary(): Node {
    let x = atom();
    for (;;) {
      if (isOp("[")) {
        next();
        x = subscript(x);
        expectOp("]");
      } else if (isOp(".")) {
        next();
        const name = next();
        if (name.t !== "name") fail(`${describe(name)} after "."`, name);
        const method = (name as { v: string }).v;
        if (!isOp("(")) {
          fail(
            `reading the attribute .${method} (a record is a dict: write ${arg}[${JSON.stringify(method)}] or ${arg}.get(${JSON.stringify(method)}))`,
            name,
          );
        }
        if (!METHODS.has(method))
          fail(`the method .${method}() (supported: ${[...METHODS].sort().join(", ")})`, name);
        next();
        x = { k: "method", x, name: method, args: callArgs(), at: name.at };
      } else if (isOp("(")) {
        return fail("calling something that is not a builtin or a method");
      } else return x;
    }
  }
  function callArgs(): Node[] {
    const args: Node[] = [];
    while (!isOp(")")) {
      if (isOp("*") || isOp("**")) fail("unpacking in a call");
      if (peek().t === "name" && isOp("=", tokens[pos + 1]!)) fail("a keyword argument");
      args.push(test());
      if (isName("for")) fail(REFUSED_KEYWORDS.for!);
      if (!isOp(")")) expectOp(",");
    }
    next();
    return args;
  }
  function subscript(x: Node): Node {
    const part = (): Node | null => (isOp(":") || isOp("]") ? null : test());
    const lo = part();
    if (!isOp(":")) {
      if (lo === null) fail("an empty subscript");
      if (isOp(",")) fail("a tuple subscript");
      return { k: "index", x, i: lo as Node };
    }
    next();
    const hi = part();
    let step: Node | null = null;
    if (isOp(":")) {
      next();
      step = part();
    }
    return { k: "slice", x, lo, hi, step };
  }
  function display(close: string): { items: Node[]; trailingComma: boolean } {
    const items: Node[] = [];
    let trailingComma = false;
    while (!isOp(close)) {
      if (isOp("*") || isOp("**")) fail("unpacking in a display");
      items.push(test());
      if (isName("for")) fail(REFUSED_KEYWORDS.for!);
      trailingComma = false;
      if (!isOp(close)) {
        expectOp(",");
        trailingComma = true;
      }
    }
    next();
    return { items, trailingComma };
  }
  function atom(): Node {
    const t = next();
    if (t.t === "num") return { k: "const", v: t.v };
    if (t.t === "str") {
      let v = t.v;
      while (peek().t === "str") v += (next() as { v: string }).v; // 'a' 'b' is 'ab'
      return { k: "const", v };
    }
    if (t.t === "name") {
      if (t.v === "True" || t.v === "False") return { k: "const", v: t.v === "True" };
      if (t.v === "None") return { k: "const", v: null };
      if (t.v === arg) return { k: "arg" };
      if (t.v in REFUSED_KEYWORDS) fail(REFUSED_KEYWORDS[t.v]!, t);
      if (BUILTINS.has(t.v)) {
        if (!isOp("(")) fail(`the builtin ${t.v} used other than by calling it`, t);
        next();
        return { k: "call", fn: t.v, args: callArgs() };
      }
      fail(
        `the name ${JSON.stringify(t.v)} (a filter sees only its parameter ${JSON.stringify(arg)}, None/True/False and the builtins ${[...BUILTINS].sort().join(", ")})`,
        t,
      );
    }
    if (t.t === "op" && t.v === "(") {
      const { items, trailingComma } = display(")");
      return items.length === 1 && !trailingComma ? items[0]! : { k: "tuple", items };
    }
    if (t.t === "op" && t.v === "[") return { k: "list", items: display("]").items };
    if (t.t === "op" && t.v === "{") return braces();
    return fail(`${describe(t)} where a value was expected`, t);
  }
  function braces(): Node {
    if (isOp("}")) {
      next();
      return { k: "dict", keys: [], values: [] };
    }
    const first = test();
    if (isName("for")) fail(REFUSED_KEYWORDS.for!);
    if (!isOp(":")) {
      if (isOp(",")) next();
      const rest = display("}").items;
      return { k: "set", items: [first, ...rest] };
    }
    const keys = [first];
    const values: Node[] = [];
    for (;;) {
      expectOp(":");
      values.push(test());
      if (isName("for")) fail(REFUSED_KEYWORDS.for!);
      if (isOp("}")) break;
      expectOp(",");
      if (isOp("}")) break;
      keys.push(test());
    }
    next();
    return { k: "dict", keys, values };
  }

  const body = test();
  if (peek().t !== "end") fail(`${describe(peek())} after the end of the expression`);
  return { param: arg, body };
}

function describe(t: Token): string {
  if (t.t === "end") return "the end of the filter";
  if (t.t === "op") {
    if (t.v === ":=") return "an assignment expression (:=)";
    if (t.v === "=" || (t.v.endsWith("=") && t.v.length > 1 && !["==", "!=", "<=", ">="].includes(t.v)))
      return `an assignment (${t.v})`;
    return `"${t.v}"`;
  }
  if (t.t === "name") return REFUSED_KEYWORDS[t.v] ?? `the name ${JSON.stringify(t.v)}`;
  return t.t === "str" ? "a string" : "a number";
}
