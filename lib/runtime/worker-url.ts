// Owns the URL of every Worker entry. `bun build --compile` flattens the main entry to <binary> at
// the root of the binary's virtual file system (COMPILED_ROOT) but keeps other entries at their path relative to the common root of all
// entry points (the repo root here), so a URL relative to this module would be wrong in the binary.
// From source, entries resolve relative to this file. Tested from another directory in CI.
import { isCompiledBinary } from "./index.ts";

/** Worker entry points, relative to the repo root. Each must also be listed in scripts/build.ts. */
export const workerEntries = {
  echo: "lib/worker/echo-entry.ts",
  load: "lib/worker/entry.ts",
  build: "lib/worker/build-entry.ts",
  wake: "lib/worker/wake-entry.ts",
} as const;

export type WorkerEntryName = keyof typeof workerEntries;

/** Where a compiled binary's entries live: Bun's virtual file system, the same in every binary. */
const COMPILED_ROOT = "file:///$bunfs/root/";

export function workerUrl(name: WorkerEntryName): URL {
  const path = workerEntries[name];
  if (isCompiledBinary()) return new URL(`./${path}`, COMPILED_ROOT);
  return new URL(`../../${path}`, import.meta.url);
}
