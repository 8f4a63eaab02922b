// inference-perf's two length samplers, driven by our seeded RNG. Pure: no clock, no I/O.
// `generateDistribution` is what random/synthetic use; `sampleFromDistribution` is what shared_prefix
// uses. They differ on purpose (as upstream): see each function's notes.
import { UserError } from "../cli/errors.ts";
import { distributionTypes } from "../config/distribution-types.ts";
import type { Rng } from "../load/rng.ts";

export type DistributionType = (typeof distributionTypes)[number];

/** inference-perf's `Distribution` as it appears in a config (snake_case, every field optional). */
export interface DistributionConfig {
  min?: number | null | undefined;
  max?: number | null | undefined;
  mean?: number | null | undefined;
  std_dev?: number | null | undefined;
  total_count?: number | null | undefined;
  type?: string | null | undefined;
  variance?: number | null | undefined;
  skew?: number | null | undefined;
}

/** A distribution with inference-perf's defaults filled in and `variance` folded into `stdDev`. */
export interface Distribution {
  min: number;
  max: number;
  mean: number;
  stdDev: number;
  type: DistributionType;
  skew: number;
  totalCount: number | null;
}

const TYPES: readonly DistributionType[] = distributionTypes;

/** Fill inference-perf's defaults (min 10, max 1024, mean 512, std_dev 200, normal). */
export function resolveDistribution(config: DistributionConfig, path = "distribution"): Distribution {
  const type = (config.type ?? "normal") as DistributionType;
  if (!TYPES.includes(type)) {
    throw new UserError(`${path}.type: expected one of ${TYPES.join(", ")}, got "${config.type}"`);
  }
  const min = config.min ?? 10;
  const max = config.max ?? 1024;
  if (min > max) throw new UserError(`${path}: expected min <= max, got min ${min} and max ${max}`);
  const variance = config.variance ?? null;
  if (variance !== null && variance < 0)
    throw new UserError(`${path}.variance: expected a number >= 0, got ${variance}`);
  // Upstream: "if variance is set, std_dev = sqrt(variance)".
  const stdDev = variance !== null ? Math.sqrt(variance) : (config.std_dev ?? 200);
  if (stdDev < 0) throw new UserError(`${path}.std_dev: expected a number >= 0, got ${stdDev}`);
  return {
    min,
    max,
    mean: config.mean ?? 512,
    stdDev,
    type,
    skew: config.skew ?? 0,
    totalCount: config.total_count ?? null,
  };
}

/** A fixed value as shared_prefix treats an int length: min = max = mean, std_dev 0. */
export function fixedDistribution(value: number): Distribution {
  return { min: value, max: value, mean: value, stdDev: 0, type: "fixed", skew: 0, totalCount: null };
}

/**
 * Upstream `generate_distribution` (random, synthetic). Per type:
 * - fixed: every value is trunc(mean), NOT clamped (upstream returns int(mean) as is);
 * - uniform: U(min, max) (so max itself is only reached by rounding up, a half-weight edge);
 * - lognormal: shifted so min maps to 0: m = mean - min (<= 0 → 1), σ² = ln(1 + (sd/m)²),
 *   μ = ln(m) - σ²/2, value = min + exp(μ + σ·Z); sd 0 → min + m;
 * - normal: N(mean, sd); a mean outside [min, max] is an error, as upstream;
 * - skew_normal, poisson: rejected, as upstream (only shared_prefix samples them).
 * Then clip to [min, max], round half to even (numpy), clip again.
 */
export function generateDistribution(
  dist: Distribution,
  count: number,
  rng: Rng,
  path = "distribution",
): number[] {
  return drawn(dist, count, () => generatorDraw(dist, rng, path));
}

function generatorDraw(dist: Distribution, rng: Rng, path: string): () => number {
  const { min, max, mean, stdDev } = dist;
  if (dist.type === "uniform") return min < max ? () => min + (max - min) * rng.next() : () => min;
  if (dist.type === "lognormal") {
    const shifted = mean - min > 0 ? mean - min : 1;
    if (stdDev === 0) return () => min + shifted;
    const lognormal = lognormalDraw(shifted, stdDev, rng);
    return () => min + lognormal();
  }
  if (dist.type === "normal") {
    if (mean < min || mean > max) {
      throw new UserError(
        `${path}.mean: expected a value within [${min}, ${max}] for a normal distribution, got ${mean}`,
      );
    }
    return stdDev > 0 ? () => mean + stdDev * rng.normal() : () => mean;
  }
  throw new UserError(
    `${path}.type: expected normal, lognormal, uniform or fixed for random and synthetic data (as inference-perf), got "${dist.type}"`,
  );
}

/**
 * Upstream `sample_from_distribution` (shared_prefix). Per type:
 * - fixed: trunc(mean), NOT clamped;
 * - normal: N(mean, sd), sd <= 0 → mean;
 * - skew_normal: Azzalini's construction, δ = skew/√(1+skew²), value = mean + sd·(δ|Z1| + √(1-δ²)·Z2)
 *   (mean is the location, not the sample mean), sd <= 0 → mean;
 * - lognormal: moment-matched on the unshifted mean (mean must be > 0): σ² = ln(1 + (sd/mean)²),
 *   μ = ln(mean) - σ²/2; sd <= 0 → mean;
 * - uniform: U(min, max + 1), so after rounding and clipping max is as likely as any other integer;
 * - poisson: λ = mean (<= 0 → 1).
 * Then clip, round half to even, clip.
 */
export function sampleFromDistribution(
  dist: Distribution,
  count: number,
  rng: Rng,
  path = "distribution",
): number[] {
  return drawn(dist, count, () => samplerDraw(dist, rng, path));
}

function samplerDraw(dist: Distribution, rng: Rng, path: string): () => number {
  const { min, max, mean, stdDev } = dist;
  switch (dist.type) {
    case "skew_normal": {
      const delta = dist.skew / Math.sqrt(1 + dist.skew ** 2);
      const tail = Math.sqrt(1 - delta ** 2);
      return stdDev > 0
        ? () => mean + stdDev * (delta * Math.abs(rng.normal()) + tail * rng.normal())
        : () => mean;
    }
    case "lognormal":
      if (mean <= 0)
        throw new UserError(`${path}.mean: expected a number > 0 for a lognormal distribution, got ${mean}`);
      return stdDev <= 0 ? () => mean : lognormalDraw(mean, stdDev, rng);
    case "uniform":
      return () => min + (max + 1 - min) * rng.next();
    case "poisson": {
      const lambda = mean > 0 ? mean : 1;
      return () => poisson(lambda, rng);
    }
    default: // normal
      return stdDev > 0 ? () => mean + stdDev * rng.normal() : () => mean;
  }
}

/** What both samplers share: the count's check, `fixed` as trunc(mean) unclamped, the rest drawn and clipped. */
function drawn(dist: Distribution, count: number, makeDraw: () => () => number): number[] {
  if (!Number.isInteger(count) || count <= 0)
    throw new RangeError(`count must be a positive integer, got ${count}`);
  if (dist.type === "fixed") return new Array<number>(count).fill(Math.trunc(dist.mean));
  return fill(count, makeDraw(), dist.min, dist.max);
}

/** exp(N(μ, σ²)) moment-matched to `mean` and `stdDev`: σ² = ln(1 + (sd/mean)²), μ = ln(mean) − σ²/2. */
function lognormalDraw(mean: number, stdDev: number, rng: Rng): () => number {
  const sigmaSq = Math.log(1 + (stdDev / mean) ** 2);
  const mu = Math.log(mean) - sigmaSq / 2;
  const sigma = Math.sqrt(sigmaSq);
  return () => Math.exp(mu + sigma * rng.normal());
}

function fill(count: number, draw: () => number, min: number, max: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = clip(roundHalfEven(clip(draw(), min, max)), min, max);
  return out;
}

function clip(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** numpy's np.round: halves go to the even neighbour (2.5 → 2, 3.5 → 4). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Poisson(λ). Small λ: Knuth's product of uniforms (exact, O(λ)). λ >= 30: Hörmann's PTRS transformed
 * rejection (1993), the method numpy uses there, which is O(1) and avoids exp(-λ) underflowing.
 */
export function poisson(lambda: number, rng: Rng): number {
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logGamma(k + 1)
    ) {
      return k;
    }
  }
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
