// What one window's server metrics come to: a result per catalog field, each number present or null
// (absent: the server does not expose the metric, or it had no data in the window). Both sources
// (PromQL answers, our own scrapes) produce this value. Pure.
import type { MetricKind, MetricSpec } from "./catalog.ts";

export type Value = number | null;

export interface CounterResult {
  readonly kind: "counter";
  /** Increase over the window. */
  readonly total: Value;
  /** Mean per-second rate over the window. */
  readonly avg: Value;
  readonly per_second: Value;
}

export interface GaugeResult {
  readonly kind: "gauge";
  readonly avg: Value;
  readonly median: Value;
  readonly p90: Value;
  readonly p99: Value;
}

export interface HistogramResult {
  readonly kind: "histogram";
  /** Mean observation (sum / count). */
  readonly avg: Value;
  readonly median: Value;
  readonly p90: Value;
  readonly p99: Value;
  /** Observations per second. */
  readonly per_second: Value;
}

export type MetricResult = CounterResult | GaugeResult | HistogramResult;

/** One window's results by catalog field; a field the server type does not define is missing. */
export type ServerMetricValues = Readonly<Record<string, MetricResult>>;

/** Query answers in metricQueries() order → a result. */
export function resultFromValues(kind: MetricKind, v: readonly Value[]): MetricResult {
  const at = (i: number): Value => v[i] ?? null;
  switch (kind) {
    case "counter":
      return { kind, total: at(0), avg: at(1), per_second: at(2) };
    case "gauge":
      return { kind, avg: at(0), median: at(1), p90: at(2), p99: at(3) };
    case "histogram":
      return { kind, avg: at(0), median: at(1), p90: at(2), p99: at(3), per_second: at(4) };
  }
}

/** True when no number of the result is present. */
export function isAbsent(result: MetricResult | undefined): boolean {
  if (result === undefined) return true;
  for (const [key, value] of Object.entries(result)) if (key !== "kind" && value !== null) return false;
  return true;
}

/** The catalog entries whose results are absent, as `field (metric name)`. */
export function absentMetrics(specs: readonly MetricSpec[], values: ServerMetricValues): string[] {
  return specs.filter((s) => isAbsent(values[s.field])).map((s) => `${s.field} (${s.name})`);
}

/** inference-perf rounds every answer to 6 decimals; NaN (no data) reads as absent. */
export function roundValue(value: number): Value {
  if (Number.isNaN(value)) return null;
  if (!Number.isFinite(value)) return value;
  // toFixed rounds the exact binary value, as Python's round() does (they differ only on exact ties).
  return Number(value.toFixed(6));
}
