// One metric's sample (latencies, token counts): constant-cost add, associative merge, and a summary
// in inference-perf's shape. Pure.
//
// Exact while small: values are kept in a growing Float64Array and summarized numpy-exactly
// (percentiles.ts). Past `exactLimit` samples (default 1,000,000 = 8 MB) the values move into a
// log-bucketed sketch (DDSketch, Masson et al. 2019) so memory stays bounded on long runs:
//   γ = (1 + α)/(1 − α) with α = 0.001; a value v ≠ 0 goes to bucket k = ⌈ln|v| / ln γ⌉ (signed), whose
//   range (γ^(k−1), γ^k] is represented by 2γ^k/(γ + 1); every value in the bucket is within a
//   relative error α = 0.1% of that representative. |v| < 1e-9 (below 1 ns) counts as 0.
// In sketch mode percentiles are interpolated between the representatives of the order statistics at
// ⌊h⌋ and ⌊h⌋+1 (numpy's linear rule), so each is within 0.1% of the exact value; count, min, max are
// exact and the mean is a running sum (exact up to float rounding). A report says which mode it used.
import { numpyMean, percentileKey, percentileSorted } from "./percentiles.ts";

export type Summary = Record<string, number>;

export const defaultExactLimit = 1_000_000;
const alpha = 0.001;
const gamma = (1 + alpha) / (1 - alpha);
const lnGamma = Math.log(gamma);
const zeroThreshold = 1e-9;

export class Distribution {
  #values: Float64Array | null = new Float64Array(16);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #buckets: Map<number, number> | null = null; // signed bucket index → count (sketch mode)
  #zeros = 0;
  readonly #exactLimit: number;

  constructor(exactLimit = defaultExactLimit) {
    this.#exactLimit = exactLimit;
  }

  get count(): number {
    return this.#count;
  }

  /** True when every sample is kept (percentiles are numpy-exact). */
  get exact(): boolean {
    return this.#values !== null;
  }

  add(value: number): void {
    if (Number.isNaN(value)) return;
    const values = this.#values;
    // Exact mode stores the value and nothing else: sum, min and max are only read in sketch mode,
    // and #toSketch computes them from the stored values (the same left-to-right sum, so the same
    // float). This is the collector's hottest line: about 30 calls per 20-token record.
    if (values !== null && this.#count < values.length) {
      values[this.#count++] = value;
      return;
    }
    this.#addSlow(value);
  }

  #addSlow(value: number): void {
    const values = this.#values;
    if (values !== null) {
      if (this.#count < this.#exactLimit) {
        const grown = new Float64Array(Math.min(values.length * 2, this.#exactLimit));
        grown.set(values);
        grown[this.#count++] = value;
        this.#values = grown;
        return;
      }
      this.#toSketch();
    }
    this.#count++;
    this.#tally(value);
  }

  /** Sketch mode's part of adding a value (the count aside): the running sum, min and max, and the sketch. */
  #tally(value: number): void {
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    this.#addToSketch(value, 1);
  }

  /** A new distribution holding both samples (neither input changes). Associative. */
  static merge(a: Distribution, b: Distribution): Distribution {
    const out = new Distribution(Math.max(a.#exactLimit, b.#exactLimit));
    out.#absorb(a);
    out.#absorb(b);
    return out;
  }

  /** `null` when empty, else mean, min, the percentiles in order, max (inference-perf's key order). */
  summarize(percentiles: readonly number[]): Summary | null {
    if (this.#count === 0) return null;
    const summary: Summary = {};
    const values = this.#values;
    if (values !== null) {
      const sample = values.subarray(0, this.#count);
      summary.mean = numpyMean(sample);
      const sorted = sample.slice().sort();
      summary.min = sorted[0] as number;
      for (const p of percentiles) summary[percentileKey(p)] = percentileSorted(sorted, p);
      summary.max = sorted[this.#count - 1] as number;
      return summary;
    }
    summary.mean = this.#sum / this.#count;
    summary.min = this.#min;
    for (const p of percentiles) summary[percentileKey(p)] = this.#sketchPercentile(p);
    summary.max = this.#max;
    return summary;
  }

  #absorb(other: Distribution): void {
    const otherValues = other.#values;
    if (otherValues !== null) {
      for (let i = 0; i < other.#count; i++) this.add(otherValues[i] as number);
      return;
    }
    if (this.#values !== null) this.#toSketch();
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    this.#zeros += other.#zeros;
    for (const [key, n] of other.#buckets ?? []) this.#buckets?.set(key, (this.#buckets.get(key) ?? 0) + n);
  }

  /** Moves the stored values into the sketch, with the running sum, min and max exact mode skipped. */
  #toSketch(): void {
    const values = this.#values;
    this.#values = null;
    this.#buckets = new Map();
    if (values === null) return;
    for (let i = 0; i < this.#count; i++) this.#tally(values[i] as number);
  }

  #addToSketch(value: number, n: number): void {
    const magnitude = Math.abs(value);
    if (magnitude < zeroThreshold) {
      this.#zeros += n;
      return;
    }
    const index = Math.ceil(Math.log(magnitude) / lnGamma);
    const key = value > 0 ? index : -index - 1e9; // negative values in their own key range
    const buckets = this.#buckets as Map<number, number>;
    buckets.set(key, (buckets.get(key) ?? 0) + n);
  }

  #sketchPercentile(p: number): number {
    const h = (this.#count - 1) * (p / 100);
    const i = Math.floor(h);
    const g = h - i;
    const a = this.#rankValue(i);
    if (g === 0 || i + 1 >= this.#count) return a;
    const b = this.#rankValue(i + 1);
    return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
  }

  /** Representative of the order statistic at 0-based `rank`, clamped to the exact min and max. */
  #rankValue(rank: number): number {
    if (rank <= 0) return this.#min;
    if (rank >= this.#count - 1) return this.#max;
    const entries = [...(this.#buckets as Map<number, number>)].map(([key, n]) => ({
      v: representative(key),
      n,
    }));
    entries.push({ v: 0, n: this.#zeros });
    entries.sort((x, y) => x.v - y.v);
    let seen = 0;
    for (const entry of entries) {
      seen += entry.n;
      if (rank < seen) return Math.min(this.#max, Math.max(this.#min, entry.v));
    }
    return this.#max;
  }
}

function representative(key: number): number {
  const negative = key < -5e8;
  const index = negative ? -(key + 1e9) : key;
  const value = (2 * gamma ** index) / (gamma + 1);
  return negative ? -value : value;
}
