// Test helper for end-to-end runs against a simulator the test starts: one run config with the
// defaults those tests share (each section overridable), written to a file for the CLI or run
// in-process (quiet, fixed facts so defaults never depend on the test machine); the simulator started
// and stopped around a test or a file's tests (their temporary folder: lib/storage/temp-dir.testing.ts).
import { afterAll, beforeAll } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFromObject } from "../config/load.ts";
import { type RunningSim, type StartSimInput, startSimOnFreePort } from "../sim/start.ts";
import { type BenchmarkResult, runBenchmark } from "./benchmark.ts";

/** Facts every test config resolves with: 2 CPUs, the epoch as "now" (so report folders are stable). */
export const testFacts = { cpuCount: 2, now: new Date(0) };

type Section = Record<string, unknown>;
/** The simulator's options, on 127.0.0.1 and a free port. */
type SimInput = Omit<StartSimInput, "host" | "port">;

/** Token lengths: a number is that length exactly; else inference-perf's distribution fields. */
export type Lengths = number | { min: number; max: number; mean: number; std_dev: number };

function distribution(lengths: Lengths) {
  return typeof lengths === "number" ? { min: lengths, max: lengths, mean: lengths, std_dev: 0 } : lengths;
}

/** `data:` random prompts of `input` tokens asking for `output` tokens. */
export function randomData(input: Lengths, output: Lengths): Section {
  return {
    type: "random",
    input_distribution: distribution(input),
    output_distribution: distribution(output),
  };
}

export interface SimConfigOverrides {
  api?: Section;
  server?: Section;
  data?: Section;
  load?: Section;
  /** Any other section (report, storage, metrics, circuit_breakers…), added as given. */
  [section: string]: unknown;
}

/** `base` with `over`'s keys on top; a key `over` sets to undefined is left out. */
function merged(base: Section, over: Section = {}): Section {
  const out: Section = { ...base, ...over };
  for (const [key, value] of Object.entries(out)) if (value === undefined) delete out[key];
  return out;
}

/**
 * A run config against the server at `url` (null: no server section, so the run starts the built-in
 * simulator). Defaults: the completion API streamed; model "sim-model"; random 10-token prompts asking
 * for 4 tokens; constant load on one Worker, no interval between stages, base_seed 1. `api`, `server`
 * and `load` are merged key by key over those (undefined leaves a key out); `data` and any other
 * section replace or add whole.
 */
export function simConfig(url: string | null, overrides: SimConfigOverrides = {}): Section {
  const { api, server, data, load, ...sections } = overrides;
  return {
    api: merged({ type: "completion", streaming: true }, api),
    ...(url === null ? {} : { server: merged({ base_url: url, model_name: "sim-model" }, server) }),
    data: data ?? randomData(10, 4),
    load: merged({ type: "constant", num_workers: 1, interval: 0, base_seed: 1 }, load),
    ...sections,
  };
}

let written = 0;

/** Writes `raw` as JSON into `dir` (as `config-N.json` unless named) and returns its path, for `-c`. */
export function writeConfigFile(dir: string, raw: Section, name = `config-${++written}`): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(raw));
  return path;
}

/** A report file (or any JSON file) of a run's output folder, parsed. */
export function readReport(dir: string, name: string) {
  return JSON.parse(readFileSync(join(dir, name), "utf8"));
}

/** Runs `fn` with a simulator started for it, and stops the simulator however `fn` ends. */
export async function withSim<T>(options: SimInput, fn: (sim: RunningSim) => Promise<T>): Promise<T> {
  const sim = await startSimOnFreePort(options);
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

/**
 * Starts a simulator before this file's (or block's) tests and stops it after them; call it before
 * hooks that use the simulator. The simulator is there once tests and later hooks run.
 */
export function simForTests(options: SimInput = {}): () => RunningSim {
  let sim: RunningSim | undefined;
  beforeAll(async () => {
    sim = await startSimOnFreePort(options);
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (sim === undefined) throw new Error("The simulator starts in beforeAll: read it in a test or hook");
    return sim;
  };
}

export async function runBenchmarkFrom(
  raw: Section,
  options: { signal?: AbortSignal; hardSignal?: AbortSignal; serverMetricsOptional?: boolean } = {},
): Promise<BenchmarkResult> {
  const loaded = configFromObject(raw, testFacts);
  return runBenchmark({
    config: loaded.config,
    configFingerprint: () => loaded.fingerprint,
    quiet: true,
    waitForServerMs: 10_000,
    ...options,
  });
}
