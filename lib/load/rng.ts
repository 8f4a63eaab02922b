// Seeded pseudo-random numbers for everything that must replay from base_seed. Pure: no clock.
// xoshiro128** (32-bit state words, fast in JS), seeded through splitmix32 so nearby seeds diverge.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1) (Box-Muller, one value per call). */
  normal(): number;
  /** Exponential with mean 1. */
  exponential(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for a 32-bit seed; the same seed always gives the same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`Seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1;

  function nextU32(): number {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  }

  function next(): number {
    // 53 random bits from two draws, so doubles near 1 are fine-grained.
    const hi = nextU32() >>> 5;
    const lo = nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // Box-Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential: () => -Math.log(1 - next()),
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** inference-perf's per-worker seed: (base_seed + worker_id) % 2^32. */
export function workerSeed(baseSeed: number, workerId: number): number {
  return (((baseSeed + workerId) % 4294967296) + 4294967296) % 4294967296;
}
