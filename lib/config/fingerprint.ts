// A short stable hash of the redacted config, stored in every report so runs of the same config
// can be matched (secrets never enter it). Pure.
import { hash } from "ohash";
import { redact } from "./redact.ts";
import type { Config } from "./schema.ts";

/**
 * ohash `hash()` of the redacted, resolved config. Derived defaults are part of it: a run with
 * a clock-chosen `base_seed` sends a different workload, so it gets a different fingerprint.
 * Values from `${VAR}` are masked like any secret, so the fingerprint names the config, not the
 * environment it ran in.
 */
export function fingerprintConfig(config: Config, secrets?: readonly string[]): string {
  return hash(redact(config, secrets));
}
