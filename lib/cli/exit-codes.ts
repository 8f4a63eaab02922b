// The process exit codes, in one table so every command maps outcomes the same way.
export const ExitCode = {
  ok: 0,
  /** The run could not be carried out (no request succeeded, server unreachable), or a bug. */
  failed: 1,
  /** Usage or config error (a malformed threshold too): the message says what to fix. */
  usage: 2,
  /** A threshold failed; every report was still written. */
  thresholdFailed: 3,
  /** Interrupted by SIGINT/SIGTERM; reports were still written. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** How a finished run (or a rebuilt one) ended, as `--json` names it. */
export type RunStatus = "ok" | "interrupted" | "no_successes" | "thresholds_failed";

export interface RunFacts {
  interrupted: boolean;
  /** Requests sent in the reported stages. */
  requests: number;
  successes: number;
  thresholdsPassed: boolean;
}

/**
 * The exit code of a run that wrote its reports. An interrupt wins (the numbers are partial); a run
 * in which nothing succeeded is a failed run, not a missed threshold (the server, not its speed, is
 * the problem); then the thresholds.
 */
export function runOutcome(facts: RunFacts): { status: RunStatus; exitCode: ExitCodeValue } {
  if (facts.interrupted) return { status: "interrupted", exitCode: ExitCode.interrupted };
  if (facts.successes === 0) return { status: "no_successes", exitCode: ExitCode.failed };
  if (!facts.thresholdsPassed) return { status: "thresholds_failed", exitCode: ExitCode.thresholdFailed };
  return { status: "ok", exitCode: ExitCode.ok };
}
