// Where a load Worker gets its tokenizer and a builder Worker its data generator (the data engineer's
// seams), in one place so the entries stay about their jobs. The main thread loads the tokenizer
// first (cache warm, errors reported once), so here a hub tokenizer comes from the cache.
import type { Config } from "../config/schema.ts";
import { createDataGenerator, type TraceLengths } from "../data/create.ts";
import { loadTokenizer } from "../data/tokenizer/load.ts";
import type { DataGenerator, Tokenizer } from "../data/types.ts";
import type { Rng } from "../load/rng.ts";

export function workerTokenizer(config: Config): Promise<Tokenizer> {
  return loadTokenizer(config.tokenizer, { env: process.env });
}

export function workerDataGenerator(
  config: Config,
  deps: { tokenizer: Tokenizer; rng: Rng; workerId: number; traceLengths: TraceLengths | undefined },
): Promise<DataGenerator> {
  return createDataGenerator(config, { ...deps, env: process.env });
}
