// Weighted choice of a LoRA adapter per request (load.lora_traffic_split), drawn from the worker's
// seeded RNG so a fixed base_seed replays the same adapter sequence. Pure: no clock, no I/O.
import type { Rng } from "./rng.ts";

export interface LoraSplitEntry {
  readonly name: string;
  readonly split: number;
}

/**
 * A picker for one worker. `null` (or an empty list) means "no adapters": the picker always returns
 * null and never touches the RNG, so runs without LoRA draw exactly the same random numbers as before.
 *
 * With adapters, every call consumes exactly one `rng.next()` draw, whatever the weights (even with a
 * single adapter). That keeps the rest of the worker's random sequence (data choices share the RNG)
 * independent of how many adapters there are and of their order.
 *
 * Choice: u = next() × total, then the first adapter whose cumulative weight exceeds u. Adapters
 * with weight 0 are never chosen (their cumulative weight equals their predecessor's). Weights are
 * normalised by their sum, so a config whose splits sum to 1 within float tolerance is exact.
 */
export function createLoraPicker(split: readonly LoraSplitEntry[] | null, rng: Rng): () => string | null {
  if (split === null || split.length === 0) return () => null;
  const names = split.map((entry) => entry.name);
  const cumulative = new Float64Array(split.length);
  let total = 0;
  let lastPositive = -1;
  split.forEach((entry, i) => {
    if (!Number.isFinite(entry.split) || entry.split < 0) {
      throw new RangeError(`LoRA split for "${entry.name}" must be a finite number >= 0, got ${entry.split}`);
    }
    total += entry.split;
    cumulative[i] = total;
    if (entry.split > 0) lastPositive = i;
  });
  if (!(total > 0)) throw new RangeError("LoRA splits must not all be 0");
  // u < total always holds mathematically, but next() × total can round up to total when next() is
  // within an ulp of 1; the fallback is then the last adapter that can be chosen at all.
  const fallback = names[lastPositive] as string;
  if (names.length <= 8) {
    return () => {
      const u = rng.next() * total;
      for (let i = 0; i < cumulative.length; i++)
        if (u < (cumulative[i] as number)) return names[i] as string;
      return fallback;
    };
  }
  // Many adapters (multi-tenant setups list hundreds): binary search for the first cumulative > u.
  return () => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo < names.length ? (names[lo] as string) : fallback;
  };
}
