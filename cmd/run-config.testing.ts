// Test helpers for `run` end to end against a simulator: a short run's config, and stderr or stdout
// captured while a command runs (for the messages a test asserts on, or to keep output quiet).
import { expect } from "bun:test";
import { join } from "node:path";
import { simConfig, writeConfigFile } from "../lib/run/benchmark.testing.ts";

export interface RunSections {
  /** Merged into one 1-second stage at 10 req/s, one worker, base_seed 2. */
  load?: Record<string, unknown>;
  storage?: Record<string, unknown>;
  report?: Record<string, unknown>;
}

/** Writes `<dir>/<name>.json`: streamed completions of 10 tokens in, 4 out, against `simUrl`. */
export function writeSimRunConfig(
  dir: string,
  simUrl: string,
  name: string,
  sections: RunSections = {},
): string {
  const { load, storage, report } = sections;
  return writeConfigFile(
    dir,
    simConfig(simUrl, {
      load: { base_seed: 2, stages: [{ rate: 10, duration: 1 }], ...load },
      ...(storage === undefined ? {} : { storage }),
      ...(report === undefined ? {} : { report }),
    }),
    name,
  );
}

/** A run config whose local reports go to `<dir>/<name>` (prefix "local-"), plus the cloud `storage` given. */
export function writeCloudRunConfig(
  dir: string,
  simUrl: string,
  name: string,
  storage: Record<string, unknown>,
): string {
  return writeSimRunConfig(dir, simUrl, name, {
    storage: { local_storage: { path: join(dir, name), report_file_prefix: "local-" }, ...storage },
  });
}

/** Runs `fn` and returns its result with what it wrote on `stream` (which the terminal does not see). */
export async function captureOutput<T>(
  stream: NodeJS.WriteStream,
  fn: () => Promise<T>,
): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    return true;
  }) as typeof stream.write;
  try {
    return { result: await fn(), text: chunks.join("") };
  } finally {
    stream.write = write;
  }
}

/** Runs `fn`, expects exit code `code`, and returns what went to stderr meanwhile. */
export async function captureStderr(fn: () => Promise<number>, code: number): Promise<string> {
  const { result, text } = await captureOutput(process.stderr, fn);
  expect(result).toBe(code);
  return text;
}

/**
 * Sets process.env to `base` plus `changes` (undefined removes a variable), in place: a Worker starts
 * with a copy of the real environment, which a process.env replaced by a plain object no longer is,
 * so changes made after such a replacement (in any later test file) would not reach Workers.
 */
export function setEnvForTests(
  base: Readonly<Record<string, string | undefined>>,
  changes: Readonly<Record<string, string | undefined>> = {},
): void {
  const wanted: Record<string, string | undefined> = { ...base, ...changes };
  for (const key of Object.keys(process.env)) if (wanted[key] === undefined) delete process.env[key];
  for (const [key, value] of Object.entries(wanted)) if (value !== undefined) process.env[key] = value;
}
