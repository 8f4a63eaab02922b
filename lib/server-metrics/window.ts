// One report window (a stage, or the whole run) over the frames of our own scrapes: counter
// increases added up, histogram bucket increases added up before any quantile is taken (quantiles
// of per-scrape quantiles would be meaningless), gauge samples kept for their mean and quantiles.
// Memory is bounded by the catalog plus one number per gauge per scrape. Pure.
import type { MetricSpec } from "./catalog.ts";
import { histogramQuantile, mean, sampleQuantile } from "./histogram.ts";
import { type MetricResult, roundValue, type ServerMetricValues, type Value } from "./results.ts";
import type { Frame, HistogramDelta } from "./snapshot.ts";

export class Window {
  readonly startMs: number;
  endMs: number;
  readonly #counters = new Map<string, number>();
  readonly #histograms = new Map<string, HistogramDelta>();
  readonly #gauges = new Map<string, number[]>();
  readonly #seen = new Set<string>();

  /** Opens at the time of the scrape that is its baseline: only later frames count. */
  constructor(startMs: number) {
    this.startMs = startMs;
    this.endMs = startMs;
  }

  add(frame: Frame, atMs: number): void {
    this.endMs = Math.max(this.endMs, atMs);
    for (const field of frame.seen) this.#seen.add(field);
    for (const [field, n] of frame.counters) this.#counters.set(field, (this.#counters.get(field) ?? 0) + n);
    for (const [field, values] of frame.gauges) {
      let list = this.#gauges.get(field);
      if (list === undefined) this.#gauges.set(field, (list = []));
      list.push(...values);
    }
    for (const [field, delta] of frame.histograms) {
      let acc = this.#histograms.get(field);
      if (acc === undefined) this.#histograms.set(field, (acc = { buckets: new Map(), sum: 0, count: 0 }));
      acc.sum += delta.sum;
      acc.count += delta.count;
      for (const [le, n] of delta.buckets) acc.buckets.set(le, (acc.buckets.get(le) ?? 0) + n);
    }
  }

  /**
   * The window's results. A counter's mean rate and its rate are the same number here (Prometheus
   * averages a subquery of rates). A field never seen is absent; one seen without observations has
   * counts of 0 and absent averages and quantiles (PromQL's empty answer / NaN).
   */
  results(specs: readonly MetricSpec[]): ServerMetricValues {
    const seconds = (this.endMs - this.startMs) / 1000;
    const perSecond = (n: number): Value => (seconds > 0 ? roundValue(n / seconds) : null);
    const out: Record<string, MetricResult> = {};
    for (const spec of specs) {
      const seen = this.#seen.has(spec.field);
      switch (spec.kind) {
        case "counter": {
          const total = this.#counters.get(spec.field) ?? 0;
          out[spec.field] = seen
            ? {
                kind: "counter",
                total: roundValue(total),
                avg: perSecond(total),
                per_second: perSecond(total),
              }
            : { kind: "counter", total: null, avg: null, per_second: null };
          break;
        }
        case "gauge": {
          const values = this.#gauges.get(spec.field) ?? [];
          const q = (p: number) => roundValue(sampleQuantile(p, values));
          out[spec.field] = {
            kind: "gauge",
            avg: roundValue(mean(values)),
            median: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
          };
          break;
        }
        case "histogram": {
          const acc = this.#histograms.get(spec.field);
          const buckets = [...(acc?.buckets ?? new Map<number, number>())].map(([le, count]) => ({
            le,
            count,
          }));
          const q = (p: number) => roundValue(histogramQuantile(p, buckets));
          const count = acc?.count ?? 0;
          out[spec.field] = {
            kind: "histogram",
            avg: count > 0 ? roundValue((acc?.sum ?? 0) / count) : null,
            median: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            per_second: seen ? perSecond(count) : null,
          };
          break;
        }
      }
    }
    return out;
  }
}
