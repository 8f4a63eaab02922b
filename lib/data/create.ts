// The one entry the worker calls: config → DataGenerator. Reads files (corpus, ShareGPT, trace) here,
// then hands plain values to the pure generators. Only mock and random (the defaults) are imported
// up front; every other generator, and what it reads with (media encoders, dataset readers, the hub
// client, the trace reader, chat templates), is imported when a config asks for it, so a Worker does
// not evaluate them at its start (docs/PERFORMANCE.md "Start-up").
import { readFile } from "node:fs/promises";
import { UserError } from "../cli/errors.ts";
import { log as defaultLog } from "../cli/log.ts";
import type { Config } from "../config/schema.ts";
import type { Rng } from "../load/rng.ts";
import { dataSeed } from "./_seed.ts";
import { fixedDistribution, resolveDistribution } from "./distribution.ts";
import type { Env, FetchLike } from "./hub.ts";
import { columnLengths, distributionLengths, type LengthSource } from "./lengths.ts";
import { createMockGenerator } from "./mock.ts";
import { createRandomGenerator } from "./random.ts";
import { sharedPrefixLengths } from "./shared-prefix-lengths.ts";
import type { LengthFilter } from "./sharegpt.ts";
import type { DataGenerator, Tokenizer } from "./types.ts";

/** The parts of the resolved config that data generation reads. */
export type DataGenConfig = Pick<Config, "api" | "data" | "load"> & {
  server?: Config["server"] | undefined;
  tokenizer?: Config["tokenizer"] | undefined;
};

export interface CreateDataOptions {
  tokenizer: Tokenizer;
  /** The worker's RNG; used only when the config has no base_seed (content is keyed by seed and index). */
  rng: Rng;
  workerId: number;
  env?: Env | undefined;
  /** The Hugging Face hub cache for dataset downloads (default: where huggingface_hub keeps it). */
  cacheDir?: string | undefined;
  fetch?: FetchLike | undefined;
  log?: { info(message: string): void; warn(message: string): void } | undefined;
  /** With tokenizer.use_server_tokenize: how many requests to prepare on the server (default 256). */
  serverPoolSize?: number | undefined;
  /**
   * `data.trace` lengths already read by the main thread, so N Workers do not each re-read a trace of
   * millions of rows. Read from `data.trace.file` when absent.
   */
  traceLengths?: TraceLengths | undefined;
}

/** Per-row input and output token counts of a trace (the columns of `Trace`). */
export interface TraceLengths {
  inputTokens: Int32Array;
  outputTokens: Int32Array;
}

export const SUPPORTED_DATA_TYPES = [
  "mock",
  "random",
  "synthetic",
  "shared_prefix",
  "shareGPT",
  "cnn_dailymail",
  "billsum_conversations",
  "infinity_instruct",
  "visionarena",
] as const;

export async function createDataGenerator(
  config: DataGenConfig,
  opts: CreateDataOptions,
): Promise<DataGenerator> {
  const data = config.data;
  const seed = dataSeed(config.load.base_seed, opts.rng);
  const { tokenizer } = opts;
  switch (data.type) {
    case "mock":
      return createMockGenerator();
    case "random": {
      const lengths = await lengthsFor(config, seed, opts.traceLengths);
      // The chat template wraps each prompt (completion API only, and not with server counts:
      // lib/config/check-media.ts refuses both before the load).
      if (data.use_chat_template) {
        const { chatTemplateOf } = await import("./tokenizer/chat-template.ts");
        const { createTemplatedRandomGenerator } = await import("./templated-random.ts");
        const template = chatTemplateOf(tokenizer);
        return createTemplatedRandomGenerator({ tokenizer, seed, lengths, template });
      }
      return serverExact(config, opts, seed, createRandomGenerator({ tokenizer, seed, lengths }));
    }
    case "synthetic": {
      if (data.multimodal) return multimodal(config, opts, seed);
      const corpus = data.corpus_file_path
        ? await readCorpus(data.corpus_file_path)
        : (await import("./assets/shakespeare.ts")).SHAKESPEARE_CORIOLANUS;
      const lengths = await lengthsFor(config, seed, opts.traceLengths);
      const { createSyntheticGenerator } = await import("./synthetic.ts");
      return serverExact(config, opts, seed, createSyntheticGenerator({ tokenizer, seed, corpus, lengths }));
    }
    case "shared_prefix":
      return sharedPrefix(config, tokenizer, seed);
    case "shareGPT":
      return shareGpt(config, opts);
    case "cnn_dailymail":
    case "billsum_conversations":
    case "infinity_instruct":
      return textDataset(config, opts);
    case "visionarena":
      return visionArena(config, opts, seed);
    default:
      throw new UserError(
        `data.type: "${data.type}" is not supported yet (supported: ${SUPPORTED_DATA_TYPES.join(", ")})`,
      );
  }
}

/** `tokenizer.use_server_tokenize: true` (an inferload addition): lengths exact under the server's count. */
async function serverExact(
  config: DataGenConfig,
  opts: CreateDataOptions,
  seed: number,
  generator: DataGenerator,
): Promise<DataGenerator> {
  const wanted = config.tokenizer?.use_server_tokenize;
  if (wanted !== true) return generator;
  if (!config.server)
    throw new UserError("tokenizer.use_server_tokenize: expected a server section, got nothing");
  const { connectServerTokenizer } = await import("./tokenizer/server.ts");
  const { exactOnServer } = await import("./server-exact.ts");
  const counter = await connectServerTokenizer({
    baseUrl: config.server.base_url,
    model: config.server.model_name ?? "",
    headers: config.server.api_key ? { authorization: `Bearer ${config.server.api_key}` } : undefined,
    fetch: opts.fetch,
  });
  return exactOnServer(generator, {
    counter,
    tokenizer: opts.tokenizer,
    seed,
    poolSize: opts.serverPoolSize,
  });
}

/**
 * data.multimodal (synthetic only, chat only, as upstream): random-token text of the input lengths
 * (100 tokens without an input_distribution, as upstream) woven with pooled media.
 */
async function multimodal(
  config: DataGenConfig,
  opts: CreateDataOptions,
  seed: number,
): Promise<DataGenerator> {
  const data = config.data;
  // lib/config/check-media.ts has refused any API but chat before the load.
  const input = data.input_distribution
    ? resolveDistribution(data.input_distribution, "data.input_distribution")
    : fixedDistribution(100);
  const output = data.output_distribution
    ? resolveDistribution(data.output_distribution, "data.output_distribution")
    : null;
  const lengths = distributionLengths(input, output ?? fixedDistribution(0), seed);
  const random = createRandomGenerator({ tokenizer: opts.tokenizer, seed, lengths });
  const text: DataGenerator =
    output === null
      ? { ...random, next: (index) => ({ ...random.next(index), maxTokens: undefined }) }
      : random;
  const { createMultimodalGenerator } = await import("./multimodal.ts");
  return createMultimodalGenerator({ multimodal: data.multimodal!, text, seed });
}

async function lengthsFor(
  config: DataGenConfig,
  seed: number,
  traceLengths: TraceLengths | undefined,
): Promise<LengthSource> {
  const data = config.data;
  if (data.trace && data.type === "random") {
    const source = data.trace;
    const trace = traceLengths ?? (await (await import("./trace-csv.ts")).readTrace(source));
    return columnLengths(trace.inputTokens, trace.outputTokens);
  }
  if (!data.input_distribution || !data.output_distribution) {
    const missing = data.input_distribution ? "data.output_distribution" : "data.input_distribution";
    throw new UserError(`${missing}: expected a distribution for data.type "${data.type}", got nothing`);
  }
  const input = resolveDistribution(data.input_distribution, "data.input_distribution");
  const output = resolveDistribution(data.output_distribution, "data.output_distribution");
  return distributionLengths(input, output, seed);
}

async function readCorpus(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UserError(`Cannot read data.corpus_file_path "${path}": file not found`);
  }
  if (text.trim() === "")
    throw new UserError(`Cannot use data.corpus_file_path "${path}": the file is empty`);
  return text;
}

async function sharedPrefix(
  config: DataGenConfig,
  tokenizer: Tokenizer,
  baseSeed: number,
): Promise<DataGenerator> {
  const sp = config.data.shared_prefix;
  if (!sp)
    throw new UserError('data.shared_prefix: expected a section for data.type "shared_prefix", got nothing');
  if (sp.enable_multi_turn_chat)
    throw new RangeError("Multi-turn shared prefix is a conversation workload (create-sessions.ts)");
  const options = { tokenizer, ...sharedPrefixLengths(sp, baseSeed) };
  // Media in the prefix or the question (chat only: lib/config/check-media.ts refuses the rest).
  if (sp.multimodal !== null || config.data.multimodal !== null) {
    const { createSharedPrefixMediaGenerator } = await import("./shared-prefix-media.ts");
    return createSharedPrefixMediaGenerator({
      ...options,
      prefixMedia: sp.multimodal,
      questionMedia: config.data.multimodal,
    });
  }
  const { createSharedPrefixGenerator } = await import("./shared-prefix.ts");
  return createSharedPrefixGenerator(options);
}

/** Whatever a dataset's generator throws at start (no usable row) as a clear message. */
function checkUsable(generator: DataGenerator, type: string): DataGenerator {
  try {
    generator.next(0);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new UserError(`Cannot use ${type} data: ${error.message}`, {
        details: ["Check data.path, or widen data.input_distribution / data.output_distribution min and max"],
      });
    }
    throw error;
  }
  return generator;
}

async function textDataset(config: DataGenConfig, opts: CreateDataOptions): Promise<DataGenerator> {
  const data = config.data;
  const { datasetRows, MAX_ROWS_PER_FILE } = await import("./dataset-source.ts");
  const { createBillsumGenerator, createCnnDailyMailGenerator, createInfinityInstructGenerator } =
    await import("./hf-datasets.ts");
  const rows = await datasetRows(data, sourceOptions(config, opts), MAX_ROWS_PER_FILE);
  const filter = (d: { min: number; max: number } | null) => (d ? { min: d.min, max: d.max } : undefined);
  const options = {
    rows,
    tokenizer: opts.tokenizer,
    api: config.api.type === "chat" ? ("chat" as const) : ("completion" as const),
    input: filter(data.input_distribution),
    output: filter(data.output_distribution),
  };
  const generator =
    data.type === "cnn_dailymail"
      ? createCnnDailyMailGenerator(options)
      : data.type === "billsum_conversations"
        ? createBillsumGenerator(options)
        : createInfinityInstructGenerator(options);
  return checkUsable(generator, data.type);
}

async function visionArena(
  config: DataGenConfig,
  opts: CreateDataOptions,
  seed: number,
): Promise<DataGenerator> {
  const data = config.data;
  const va = data.visionarena;
  const numRows = va?.num_rows ?? 1000;
  // Rows without a prompt or a usable image are skipped, so read some more than the pool keeps.
  const { datasetRows } = await import("./dataset-source.ts");
  const { createVisionArenaGenerator } = await import("./visionarena.ts");
  const rows = await datasetRows(data, sourceOptions(config, opts), numRows * 2);
  const point = va?.insertion_point ?? 0;
  try {
    return createVisionArenaGenerator({
      rows,
      numRows,
      maxImagesPerRequest: va?.max_images_per_request ?? 1,
      insertionPoint:
        point === null || typeof point === "number"
          ? point
          : resolveDistribution(point, "data.visionarena.insertion_point"),
      seed,
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UserError(`Cannot use visionarena data: ${error.message}`);
    throw error;
  }
}

function sourceOptions(config: DataGenConfig, opts: CreateDataOptions) {
  return {
    env: opts.env ?? {},
    cacheDir: opts.cacheDir,
    token: config.tokenizer?.token,
    fetch: opts.fetch,
    log: opts.log ?? defaultLog,
  };
}

async function shareGpt(config: DataGenConfig, opts: CreateDataOptions): Promise<DataGenerator> {
  const data = config.data;
  const { loadShareGpt } = await import("./sharegpt-load.ts");
  const { createShareGptGenerator } = await import("./sharegpt.ts");
  const loaded = await loadShareGpt(data.path, {
    env: opts.env ?? {},
    cacheDir: opts.cacheDir,
    fetch: opts.fetch,
    log: opts.log ?? defaultLog,
  });
  if (loaded.skipped > 0 && opts.workerId === 0) {
    (opts.log ?? defaultLog).warn(
      `ShareGPT: skipped ${loaded.skipped} malformed or unusable rows (kept ${loaded.conversations.length})`,
    );
  }
  const filter = (d: { min: number; max: number } | null): LengthFilter | undefined =>
    d ? { min: d.min, max: d.max } : undefined;
  const generator = createShareGptGenerator({
    tokenizer: opts.tokenizer,
    conversations: loaded.conversations,
    inputFilter: filter(data.input_distribution),
    outputFilter: filter(data.output_distribution),
  });
  try {
    generator.next(0); // fail at start, not on the first request, when no row passes the filters
  } catch (error) {
    if (error instanceof RangeError) {
      throw new UserError(`Cannot use ShareGPT data: ${error.message}`, {
        details: ["Widen data.input_distribution / data.output_distribution min and max, or remove them"],
      });
    }
    throw error;
  }
  return generator;
}
