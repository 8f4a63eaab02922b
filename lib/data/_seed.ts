// Seeds for data generation. Content depends on (seed, request index) only, never on which worker
// draws it or how many workers there are, so a fixed base_seed replays the same prompts. Pure.
import { createRng, type Rng } from "../load/rng.ts";

/** An RNG for request `index`: splitmix-scrambled inside createRng, so neighbouring indices diverge. */
export function indexRng(seed: number, index: number, stream = 0): Rng {
  // Math.imul by an odd constant is a bijection mod 2^32, so indices never collide within one seed.
  return createRng((seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
}

/** base_seed when the config has one; otherwise one draw from the worker's RNG. */
export function dataSeed(baseSeed: number | null | undefined, fallback: Rng): number {
  return typeof baseSeed === "number" && Number.isFinite(baseSeed)
    ? baseSeed >>> 0
    : fallback.int(4294967296);
}
