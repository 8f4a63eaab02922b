// The checks `run` makes before any load that need nothing but the config, shared with `validate`
// so that `validate` refuses what `run` would refuse. The checks that touch the disk or the network
// are in lib/run/preflight.ts. Pure.
import { UserError } from "../cli/errors.ts";
import { maskSecrets } from "../cli/secrets.ts";
import { boundProblems } from "./check-bounds.ts";
import { headerFindings } from "./check-headers.ts";
import { mediaProblems } from "./check-media.ts";
import { baseUrlProblems } from "./check-url.ts";
import { capProblems } from "./limits.ts";
import type { Config } from "./schema.ts";
import { findUnsupported } from "./unsupported.ts";

export interface Findings {
  /** What makes `run` refuse the config, one "path: …" line each. */
  problems: string[];
  /** What `run` says and goes on with (e.g. a Host header replacing the URL's). */
  notes: string[];
}

type ConfigCheck = (config: Config) => Partial<Findings>;

/** Every config-only check, in the order their lines are shown. */
export const configChecks: readonly ConfigCheck[] = [
  (c) => ({
    problems:
      c.server === null ? [] : baseUrlProblems(c.server.base_url).map((line) => `server.base_url: ${line}`),
  }),
  (c) => headerFindings(c),
  (c) => ({ problems: boundProblems(c) }),
  (c) => ({
    problems:
      c.storage.local_storage.path.trim() === ""
        ? [
            `storage.local_storage.path: expected a folder for the reports, got ${JSON.stringify(c.storage.local_storage.path)}`,
          ]
        : [],
  }),
  (c) => ({ problems: mediaProblems(c) }),
  (c) => ({ problems: findUnsupported(c) }),
];

/** Runs every check on a resolved config. */
export function checkConfig(config: Config, checks: readonly ConfigCheck[] = configChecks): Findings {
  const findings: Findings = { problems: [], notes: [] };
  for (const check of checks) {
    const found = check(config);
    findings.problems.push(...(found.problems ?? []));
    findings.notes.push(...(found.notes ?? []));
  }
  return findings;
}

/**
 * The error `run` stops with when a check found problems; `validate` says the same in its words
 * (the config itself is valid; `run` would refuse it).
 */
export function refusal(
  name: string,
  problems: readonly string[],
  options: { validate?: boolean; secrets?: readonly string[] } = {},
): UserError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const message = options.validate
    ? `Config "${name}" is valid, but "inferload run" would refuse it: ${count}`
    : `Cannot run config "${name}": ${count}`;
  return new UserError(message, {
    details: capProblems(problems).map((line) => maskSecrets(line, options.secrets)),
  });
}
