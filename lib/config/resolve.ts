// Derived defaults from facts the caller passes in (CPU count, clock): inference-perf fills these
// at import time. Pure: no clock, no os calls here.
import { trimFileNewline } from "./check-headers.ts";
import type { Config, ParsedConfig } from "./schema.ts";

export type ResolveFacts = {
  cpuCount: number;
  now: Date;
  /**
   * The machine's local time is UTC (lib/runtime/local-zone.ts): the report folder's name is then
   * formatted from the UTC fields, which give the same name without the runtime's first local-time
   * call (~10 ms of time-zone data before the first request).
   */
  localIsUtc?: boolean | undefined;
  /** Environment for secrets the config leaves out (INFERLOAD_API_KEY → server.api_key). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
};

/**
 * Most `load.num_workers` may be (and its default, the CPU count, is capped at): each Worker is a
 * thread with its own heap, and one per CPU stops paying well before this.
 */
export const MAX_WORKERS = 256;

/** The variable read when `server.api_key` is absent: tool-specific, so no key is sent by accident. */
export const apiKeyEnvVar = "INFERLOAD_API_KEY";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * `YYYYMMDD-HHMMSS` in local time, as inference-perf's `datetime.now().strftime("%Y%m%d-%H%M%S")`;
 * `localIsUtc` says local time is UTC, so the UTC fields (no time-zone lookup) give it.
 */
export function formatTimestamp(now: Date, localIsUtc = false): string {
  const [year, month, day, hours, minutes, seconds] = localIsUtc
    ? [
        now.getUTCFullYear(),
        now.getUTCMonth(),
        now.getUTCDate(),
        now.getUTCHours(),
        now.getUTCMinutes(),
        now.getUTCSeconds(),
      ]
    : [now.getFullYear(), now.getMonth(), now.getDate(), now.getHours(), now.getMinutes(), now.getSeconds()];
  return `${pad(year, 4)}${pad(month + 1)}${pad(day)}-${pad(hours)}${pad(minutes)}${pad(seconds)}`;
}

function fillPath(path: string | null, stamp: string): string {
  return (path ?? `reports-${stamp}`).replaceAll("{timestamp}", stamp);
}

/** The parsed config with `num_workers`, `base_seed` and storage paths filled in. */
export function resolveConfig(
  parsed: ParsedConfig,
  { cpuCount, now, localIsUtc, env }: ResolveFacts,
): Config {
  const stamp = formatTimestamp(now, localIsUtc);
  const { storage, load, server, api, tokenizer } = parsed;
  const envKey = env?.[apiKeyEnvVar];
  const apiKey = server?.api_key ?? (envKey === undefined || envKey === "" ? null : envKey);
  // Credentials and header values often come from files (a secret mounted as a file, a YAML block
  // scalar) with a trailing newline that would break the request: one is dropped.
  const headers =
    api.headers === null
      ? null
      : Object.fromEntries(
          Object.entries(api.headers).map(([name, value]) => [name, trimFileNewline(value)]),
        );
  return {
    ...parsed,
    api: { ...api, headers },
    server: server === null ? null : { ...server, api_key: apiKey === null ? null : trimFileNewline(apiKey) },
    tokenizer:
      tokenizer === null || tokenizer.token === null
        ? tokenizer
        : { ...tokenizer, token: trimFileNewline(tokenizer.token) },
    load: {
      ...load,
      // 0 is inference-perf's single-process mode; one worker sends the same load (docs/config.md).
      num_workers:
        load.num_workers === null
          ? Math.min(MAX_WORKERS, Math.max(1, Math.floor(cpuCount)))
          : Math.max(1, load.num_workers),
      base_seed: load.base_seed ?? now.getTime(),
    },
    storage: {
      ...storage,
      local_storage: { ...storage.local_storage, path: fillPath(storage.local_storage.path, stamp) },
      google_cloud_storage:
        storage.google_cloud_storage === null
          ? null
          : { ...storage.google_cloud_storage, path: fillPath(storage.google_cloud_storage.path, stamp) },
      simple_storage_service:
        storage.simple_storage_service === null
          ? null
          : { ...storage.simple_storage_service, path: fillPath(storage.simple_storage_service.path, stamp) },
    },
  };
}
