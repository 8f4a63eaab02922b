// The one entry to config loading: read → parse → bounds → ${ENV} → --set → validate → resolve →
// freeze → fingerprint (habit 6). Facts (env, CPU count, clock) come in as values; only reading
// the file is I/O.
import * as v from "valibot";
import { UserError } from "../cli/errors.ts";
import { maskSecrets } from "../cli/secrets.ts";
import { formatPath } from "./_path.ts";
import { interpolateEnv } from "./env.ts";
import { fingerprintConfig } from "./fingerprint.ts";
import { formatIssues } from "./issues.ts";
import { capProblems, checkTree, MAX_PROBLEMS_SHOWN } from "./limits.ts";
import { applyOverrides } from "./overrides.ts";
import { label, parseConfigText, readConfigText } from "./read.ts";
import { secretsOf } from "./redact.ts";
import { resolveConfig } from "./resolve.ts";
import { type Config, configSchema } from "./schema.ts";

export type LoadedConfig = {
  readonly config: Config;
  readonly fingerprint: string;
  readonly path: string | null;
  /** Every secret value in the config (lib/config/redact.ts secretsOf): mask them wherever text is shown. */
  readonly secrets: readonly string[];
  /**
   * True when the report folder was named by the loader (the default `reports-…` name, or a path
   * with `{timestamp}`): a folder of that name that already exists gets a suffix, while a folder
   * the user named is refused when it holds reports.
   */
  readonly autoReportPath: boolean;
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
  /** Local time is UTC (lib/runtime/local-zone.ts): the timestamp needs no time-zone lookup. */
  localIsUtc?: boolean | undefined;
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function problems(
  name: string,
  lines: readonly string[],
  secrets: readonly string[],
  total = lines.length,
): UserError {
  const count = total === 1 ? "1 problem" : `${total} problems`;
  // A problem quotes the value it found, which may hold a secret (a URL password, a `${VAR}` value).
  const details = capProblems(lines, MAX_PROBLEMS_SHOWN, total).map((line) => maskSecrets(line, secrets));
  return new UserError(`Invalid config ${label(name)}: ${count}`, { details });
}

/**
 * Validate an already parsed config tree (a file's content, or an object built by a test) and
 * resolve it. `name` labels errors. Throws a UserError listing every problem.
 */
export function configFromObject(raw: unknown, facts: ConfigFacts & { name?: string }): LoadedConfig {
  const name = facts.name ?? "(inline)";
  const forbidden = checkTree(raw, name);
  if (forbidden.length > 0) throw problems(name, forbidden, []);
  const interpolated = interpolateEnv(raw, facts.env ?? {});
  const fromEnv = interpolated.used;
  if (interpolated.missing.length > 0) {
    throw problems(
      name,
      interpolated.missing.map(
        (m) => `${formatPath(m.path)}: expected environment variable "${m.name}" to be set, got nothing`,
      ),
      fromEnv,
    );
  }
  const tree = applyOverrides(interpolated.value, facts.overrides ?? []);
  // --set values may be JSON maps: they get the same bounds as the file.
  const forbiddenSet = checkTree(tree, name);
  if (forbiddenSet.length > 0) throw problems(name, forbiddenSet, fromEnv);
  const result = v.safeParse(configSchema, tree);
  if (!result.success) {
    // Only the issues that will be shown are worded (with their "did you mean"); the rest are counted.
    const shown = result.issues.slice(0, MAX_PROBLEMS_SHOWN);
    const lines = formatIssues(shown, configSchema);
    const total = lines.length + result.issues.length - shown.length;
    throw problems(name, lines, secretsOf(tree, fromEnv), total);
  }
  const config = deepFreeze(resolveConfig(result.output, facts));
  const secrets = secretsOf(config, fromEnv);
  const storagePath = result.output.storage.local_storage.path;
  let fingerprint: string | undefined;
  return Object.freeze({
    config,
    // Hashed when first read (the reports, at the end): the hash's first use loads node:crypto.
    get fingerprint() {
      fingerprint ??= fingerprintConfig(config, secrets);
      return fingerprint;
    },
    path: facts.name ?? null,
    secrets: Object.freeze(secrets),
    autoReportPath: storagePath === null || storagePath.includes("{timestamp}"),
  });
}

/** Load, validate and resolve a config file. Throws a UserError naming the file and every problem. */
export async function loadConfig(options: ConfigFacts & { path: string }): Promise<LoadedConfig> {
  const text = await readConfigText(options.path);
  const raw = await parseConfigText(text, options.path);
  return configFromObject(raw, { ...options, name: options.path });
}
