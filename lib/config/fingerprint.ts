// A short stable hash of the redacted config, stored in every report so runs of the same config
// can be matched (secrets never enter it). Pure.
import { serialize } from "ohash";
import { redact } from "./redact.ts";
import type { Config } from "./schema.ts";

/**
 * ohash's `hash()`: SHA-256 of its `serialize()`, base64url. Its digest half is ours only so that
 * node:crypto is taken at the first call: ohash's imports it statically, and the compiled binary
 * loads every statically imported node: module at each thread's start (docs/PERFORMANCE.md
 * "Start-up"). The test holds the two equal.
 */
export function stableHash(value: unknown): string {
  return process
    .getBuiltinModule("node:crypto")
    .createHash("sha256")
    .update(serialize(value))
    .digest("base64url");
}

/**
 * ohash `hash()` of the redacted, resolved config. Derived defaults are part of it: a run with
 * a clock-chosen `base_seed` sends a different workload, so it gets a different fingerprint.
 * Values from `${VAR}` are masked like any secret, so the fingerprint names the config, not the
 * environment it ran in.
 */
export function fingerprintConfig(config: Config, secrets?: readonly string[]): string {
  return stableHash(redact(config, secrets));
}
