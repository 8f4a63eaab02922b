// The one entry to config loading: read → parse → ${ENV} → --set → validate → resolve → freeze →
// fingerprint (habit 6). Facts (env, CPU count, clock) come in as values; only reading the file is I/O.
import * as v from "valibot";
import { UserError } from "../cli/errors.ts";
import { formatPath } from "./_path.ts";
import { interpolateEnv } from "./env.ts";
import { fingerprintConfig } from "./fingerprint.ts";
import { formatIssues } from "./issues.ts";
import { applyOverrides } from "./overrides.ts";
import { parseConfigText, readConfigText } from "./read.ts";
import { resolveConfig } from "./resolve.ts";
import { type Config, configSchema } from "./schema.ts";

export type LoadedConfig = {
  readonly config: Config;
  readonly fingerprint: string;
  readonly path: string | null;
};

export type ConfigFacts = {
  /** `--set path=value` strings, applied in order. */
  overrides?: readonly string[];
  /** Variables for `${VAR}` references (the command passes process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default for `load.num_workers`. */
  cpuCount: number;
  /** Default for `load.base_seed` (ms) and the report path timestamp. */
  now: Date;
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function problems(name: string, lines: readonly string[]): UserError {
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  return new UserError(`Invalid config "${name}": ${count}`, { details: lines });
}

/**
 * Validate an already parsed config tree (a file's content, or an object built by a test) and
 * resolve it. `name` labels errors. Throws a UserError listing every problem.
 */
export function configFromObject(raw: unknown, facts: ConfigFacts & { name?: string }): LoadedConfig {
  const name = facts.name ?? "(inline)";
  const interpolated = interpolateEnv(raw, facts.env ?? {});
  if (interpolated.missing.length > 0) {
    throw problems(
      name,
      interpolated.missing.map(
        (m) => `${formatPath(m.path)}: expected environment variable "${m.name}" to be set, got nothing`,
      ),
    );
  }
  const tree = applyOverrides(interpolated.value, facts.overrides ?? []);
  const result = v.safeParse(configSchema, tree);
  if (!result.success) throw problems(name, formatIssues(result.issues, configSchema));
  const config = deepFreeze(resolveConfig(result.output, facts));
  return Object.freeze({ config, fingerprint: fingerprintConfig(config), path: facts.name ?? null });
}

/** Load, validate and resolve a config file. Throws a UserError naming the file and every problem. */
export async function loadConfig(options: ConfigFacts & { path: string }): Promise<LoadedConfig> {
  const text = await readConfigText(options.path);
  const raw = parseConfigText(text, options.path);
  return configFromObject(raw, { ...options, name: options.path });
}
