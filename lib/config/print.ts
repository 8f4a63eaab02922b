// The resolved config as YAML, secrets masked: what `validate` prints and reports save. Pure.
import { stringifyYAML } from "confbox";
import { redact } from "./redact.ts";
import type { Config } from "./schema.ts";

/** Block-style YAML of the redacted config, keys in schema order (as inference-perf logs it). */
export function printConfig(config: Config): string {
  const text = stringifyYAML(redact(config), { indent: 2 });
  return text.endsWith("\n") ? text : `${text}\n`;
}
