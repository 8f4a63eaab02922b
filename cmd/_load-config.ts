// The config a command works from: the file (or stdin) with its --set overrides, resolved against
// this process's environment, this machine's CPU count and the current time (the facts `loadConfig`
// takes as parameters so tests can fix them).
import { availableParallelism } from "node:os";
import { type LoadedConfig, loadConfig } from "../lib/config/load.ts";
import { localZoneIsUtc } from "../lib/runtime/local-zone.ts";

export function loadCommandConfig(path: string, overrides: readonly string[]): Promise<LoadedConfig> {
  return loadConfig({
    path,
    overrides,
    env: process.env,
    cpuCount: availableParallelism(),
    now: new Date(),
    // Where local time is UTC, the report folder's time stamp needs no time-zone lookup (~11 ms).
    localIsUtc: localZoneIsUtc(process.env),
  });
}
