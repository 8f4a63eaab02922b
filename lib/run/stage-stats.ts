// Light per-stage numbers the runner needs for its end-of-stage warnings (also for the sweep's probe,
// which the collector does not report): sends, first/last send, median schedule delay. Bounded
// memory: the median comes from a fixed-size uniform sample of delays (reservoir sampling). Pure.
import { createRng } from "../load/rng.ts";
import type { RequestRecord } from "../metrics/record.ts";

const RESERVOIR = 4096;

export interface StageStats {
  count: number;
  failed: number;
  firstSentMs: number;
  lastSentMs: number;
  /** Median of sentMs - scheduledMs (ms), NaN when empty; exact below 4,096 requests. */
  medianDelayMs: number;
}

export class StageStatsAccumulator {
  #count = 0;
  #failed = 0;
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  #sample = new Float64Array(RESERVOIR);
  // Fixed seed: the sample only estimates a median, it has nothing to replay.
  #rng = createRng(1);

  add(r: RequestRecord): void {
    const n = this.#count++;
    if (r.failure !== null) this.#failed++;
    if (r.sentMs < this.#first) this.#first = r.sentMs;
    if (r.sentMs > this.#last) this.#last = r.sentMs;
    const delay = r.sentMs - r.scheduledMs;
    if (n < RESERVOIR) this.#sample[n] = delay;
    else {
      const j = this.#rng.int(n + 1);
      if (j < RESERVOIR) this.#sample[j] = delay;
    }
  }

  close(): StageStats {
    const kept = this.#sample.slice(0, Math.min(this.#count, RESERVOIR)).sort();
    const mid = kept.length >> 1;
    const median =
      kept.length === 0 ? Number.NaN : kept.length % 2 ? kept[mid]! : (kept[mid - 1]! + kept[mid]!) / 2;
    return {
      count: this.#count,
      failed: this.#failed,
      firstSentMs: this.#count === 0 ? Number.NaN : this.#first,
      lastSentMs: this.#count === 0 ? Number.NaN : this.#last,
      medianDelayMs: median,
    };
  }
}

/**
 * Achieved send rate of a rate stage, for the end-of-stage warning: the requested rate scaled by how
 * much longer the sends took than planned. Planned span = last offset + one nominal gap; actual span =
 * last send − stage start + one nominal gap. For evenly spaced sends that is n / actual span; for
 * Poisson it removes the randomness of the planned span, which a small stage would otherwise turn
 * into false warnings.
 */
export function achievedRate(
  stats: StageStats,
  t0Ms: number,
  requestedRate: number,
  lastOffsetMs: number,
): number {
  if (stats.count === 0) return 0;
  const gapS = 1 / requestedRate;
  const plannedS = lastOffsetMs / 1000 + gapS;
  const actualS = Math.max(plannedS, (stats.lastSentMs - t0Ms) / 1000 + gapS);
  return (requestedRate * plannedS) / actualS;
}
