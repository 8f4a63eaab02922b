// UserError is what the user can fix: printed as a message, never with a stack.
import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";

export class UserError extends Error {
  override readonly name = "UserError";
  readonly exitCode: ExitCodeValue;
  /** Extra lines (one per problem) printed under the message. */
  readonly details: readonly string[];

  constructor(
    message: string,
    options: { exitCode?: ExitCodeValue; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.details = options.details ?? [];
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Why a file could not be read, in words ("file not found"), for a UserError naming the file. */
export function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

/** Map anything thrown out of a command to an exit code and the text to print. */
export function describeFailure(error: unknown): { exitCode: ExitCodeValue; text: string; isBug: boolean } {
  if (isUserError(error)) {
    const text = [error.message, ...error.details.map((line) => `  ${line}`)].join("\n");
    return { exitCode: error.exitCode, text, isBug: false };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: ExitCode.failed, text, isBug: true };
}
