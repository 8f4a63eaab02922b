// Test helper: run a whole benchmark in-process from a config object, as the e2e tests do against a
// simulator they started (quiet, fixed facts so defaults never depend on the test machine).
import { configFromObject } from "../config/load.ts";
import { type BenchmarkResult, runBenchmark } from "./benchmark.ts";

/** Facts every test config resolves with: 2 CPUs, the epoch as "now" (so report folders are stable). */
export const testFacts = { cpuCount: 2, now: new Date(0) };

export async function runBenchmarkFrom(
  raw: Record<string, unknown>,
  options: { signal?: AbortSignal; hardSignal?: AbortSignal; serverMetricsOptional?: boolean } = {},
): Promise<BenchmarkResult> {
  const { config, fingerprint } = configFromObject(raw, testFacts);
  return runBenchmark({
    config,
    configFingerprint: fingerprint,
    quiet: true,
    waitForServerMs: 10_000,
    ...options,
  });
}
