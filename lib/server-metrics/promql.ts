// PromQL text for one metric over one window, character for character as inference-perf writes it
// (its golden query corpus), so a Prometheus dashboard and this report read the same series. Pure.
import type { MetricSpec } from "./catalog.ts";

/**
 * The range `[Ns]`: whole seconds, rounded as Python's `f"{d:.0f}"` rounds (half to even on the
 * binary value), never below 1 s (`[0s]` is not valid PromQL).
 */
export function rangeSeconds(durationS: number): number {
  const floor = Math.floor(durationS);
  const diff = durationS - floor;
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return Math.max(1, rounded);
}

/**
 * A counter's series names: `_total` and bare, joined with `or` (exporters differ; Google Managed
 * Prometheus refuses a `{__name__=~…}` regex). A counter over a histogram's `_count`/`_sum`/`_bucket`
 * series never carries `_total`, so it keeps one name.
 */
export function counterLegs(name: string): string[] {
  const base = name.endsWith("_total") ? name.slice(0, -"_total".length) : name;
  if (/_(count|sum|bucket)$/.test(base)) return [base];
  return [`${base}_total`, base];
}

/**
 * The queries of one metric, in the order their results are read:
 * counter → total (increase), avg (mean per-second rate), per_second (rate);
 * gauge → avg, median, p90, p99 over time;
 * histogram → mean (sum rate / count rate), median, p90, p99 (histogram_quantile), per_second (count rate).
 */
export function metricQueries(spec: MetricSpec, durationS: number, filters: readonly string[]): string[] {
  const d = `${rangeSeconds(durationS)}s`;
  const f = filters.join(",");
  const m = spec.name;
  switch (spec.kind) {
    case "counter": {
      const spanning = (fn: string) =>
        counterLegs(m)
          .map((leg) => `${fn}(${leg}{${f}}[${d}])`)
          .join(" or ");
      return [
        `sum(${spanning("increase")})`,
        `avg_over_time((${spanning("rate")})[${d}:${d}])`,
        `sum(${spanning("rate")})`,
      ];
    }
    case "gauge":
      return [
        `avg_over_time(${m}{${f}}[${d}])`,
        `quantile_over_time(0.5, ${m}{${f}}[${d}])`,
        `quantile_over_time(0.9, ${m}{${f}}[${d}])`,
        `quantile_over_time(0.99, ${m}{${f}}[${d}])`,
      ];
    case "histogram": {
      const quantile = (q: string) => `histogram_quantile(${q}, sum(rate(${m}_bucket{${f}}[${d}])) by (le))`;
      return [
        `sum(rate(${m}_sum{${f}}[${d}])) / (sum(rate(${m}_count{${f}}[${d}])) > 0)`,
        quantile("0.5"),
        quantile("0.9"),
        quantile("0.99"),
        `sum(rate(${m}_count{${f}}[${d}]))`,
      ];
    }
  }
}

/**
 * The same query with `:` in metric names turned into `_` (label values untouched), for exporters
 * that re-export vLLM's metrics under Prometheus-safe names (OpenTelemetry); tried when the first
 * form finds no series, as inference-perf does.
 */
export function underscoredQuery(query: string): string {
  return query.replace(/[A-Za-z_:][A-Za-z0-9_:]*(?=\{)/g, (name) => name.replace(/:/g, "_"));
}
