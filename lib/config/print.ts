// The resolved config as YAML, secrets masked: what `validate` prints and reports save. Pure. It brings
// js-yaml, so a run imports it once its first stage has begun (docs/PERFORMANCE.md "Start-up").
import { stringifyYAML } from "confbox/yaml";
import { redact } from "./redact.ts";
import type { Config } from "./schema.ts";

/**
 * Block-style YAML of the redacted config, keys in schema order (as inference-perf logs it).
 * `secrets` defaults to the process's registered ones (lib/cli/secrets.ts).
 */
export function printConfig(config: Config, secrets?: readonly string[]): string {
  const text = stringifyYAML(redact(config, secrets), { indent: 2 });
  return text.endsWith("\n") ? text : `${text}\n`;
}
