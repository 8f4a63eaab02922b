// Test helpers for `run` with cloud report storage: a short run's config against a simulator, and
// stderr captured while a command runs (the upload messages are asserted on).
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `<dir>/<name>.json`: one 1-second stage at 10 req/s, local reports in `<dir>/<name>` (prefix "local-"). */
export function writeCloudRunConfig(
  dir: string,
  simUrl: string,
  name: string,
  storage: Record<string, unknown>,
): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      api: { type: "completion", streaming: true },
      server: { base_url: simUrl, model_name: "sim-model" },
      data: {
        type: "random",
        input_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 },
        output_distribution: { min: 4, max: 4, mean: 4, std_dev: 0 },
      },
      load: {
        type: "constant",
        num_workers: 1,
        interval: 0,
        base_seed: 2,
        stages: [{ rate: 10, duration: 1 }],
      },
      storage: { local_storage: { path: join(dir, name), report_file_prefix: "local-" }, ...storage },
    }),
  );
  return path;
}

/** Runs `fn`, expects exit code `code`, and returns what went to stderr meanwhile. */
export async function captureStderr(fn: () => Promise<number>, code: number): Promise<string> {
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    errors.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    expect(await fn()).toBe(code);
  } finally {
    process.stderr.write = write;
  }
  return errors.join("");
}
