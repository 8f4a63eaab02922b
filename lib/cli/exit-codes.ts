// The process exit codes, in one table so every command maps outcomes the same way.
export const ExitCode = {
  ok: 0,
  /** The run could not be carried out, or a bug (stack printed, please report). */
  failed: 1,
  /** Usage or config error: the message says what to fix. */
  usage: 2,
  /** An SLO gate failed (reserved). */
  sloFailed: 3,
  /** Interrupted by SIGINT/SIGTERM; reports were still written. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
