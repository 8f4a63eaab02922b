// Threshold expressions in the spirit of k6's: `<metric> <op> <number>[unit]`, e.g. `ttft.p99 < 0.5`,
// `failures.rate < 1%`, `request_latency.p95 <= 800ms`, `goodput_percentage >= 90`. Only the syntax
// is checked here; whether the metric exists is catalogue.ts's question. Pure.

export const operators = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Operator = (typeof operators)[number];

/** `ms` and `s` scale a time, `%` a fraction (or nothing, for a metric that is already a percentage). */
export type LimitUnit = "s" | "ms" | "%" | null;

export interface ParsedThreshold {
  /** The expression as written, trimmed. */
  text: string;
  metric: string;
  op: Operator;
  /** The number as written, before its unit is applied. */
  number: number;
  unit: LimitUnit;
}

export type ParseResult = { ok: true; value: ParsedThreshold } | { ok: false; expected: string };

const example = 'an expression such as "ttft.p99 < 0.5"';
// Longest first, so "<=" is not read as "<" followed by "=".
const operatorPattern = /<=|>=|==|!=|<|>|=/;
const metricPattern = /^[A-Za-z_][\w.]*$/;
const limitPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)$/;

export function parseThreshold(source: string): ParseResult {
  const text = source.trim();
  if (text === "") return fail(`expected ${example}, got nothing`);
  const match = operatorPattern.exec(text);
  if (match === null) return fail(`expected a comparison (${operators.join(", ")}) in ${example}`);
  if (match[0] === "=") return fail('expected a comparison: use "==" for equality, not "="');
  const op = match[0] as Operator;
  const metric = text.slice(0, match.index).trim();
  const rest = text.slice(match.index + op.length).trim();
  if (metric === "") return fail(`expected a metric name before "${op}", e.g. "ttft.p99 ${op} 0.5"`);
  if (!metricPattern.test(metric)) return fail(`expected a metric name before "${op}", got "${metric}"`);
  if (rest === "") return fail(`expected a number after "${op}", got nothing`);
  const limit = limitPattern.exec(rest);
  if (limit === null) return fail(`expected a number after "${op}", got "${rest}"`);
  const unit = limit[2] === "" ? null : (limit[2] as string);
  if (unit !== null && unit !== "s" && unit !== "ms" && unit !== "%") {
    return fail(`expected a unit of "s", "ms" or "%" after the number, got "${unit}"`);
  }
  return { ok: true, value: { text, metric, op, number: Number(limit[1]), unit } };
}

function fail(expected: string): ParseResult {
  return { ok: false, expected };
}

/** `value op limit`; false for NaN, as every comparison with a missing value fails. */
export function compare(value: number, op: Operator, limit: number): boolean {
  switch (op) {
    case "<":
      return value < limit;
    case "<=":
      return value <= limit;
    case ">":
      return value > limit;
    case ">=":
      return value >= limit;
    case "==":
      return value === limit;
    case "!=":
      return !Number.isNaN(value) && value !== limit;
  }
}
