// One consola instance writing to stderr, so stdout carries only data (`--json | jq` works). Every
// line passes one gate first: registered secrets are masked and control characters escaped, since
// log lines carry text from outside (server messages, model ids, file names).
//
// consola's core with our own one-line reporter: consola's default entry loads its fancy reporter,
// node:tty and node:readline (prompts), which cost 50-90 ms at every start of the compiled binary
// (docs/PERFORMANCE.md "Start-up"); a CLI that prints a few plain lines needs none of it.
import { type ConsolaReporter, createConsola, type LogObject } from "consola/core";
import { colorFor } from "./color.ts";
import { maskSecrets } from "./secrets.ts";
import { escapeControl } from "./terminal-text.ts";

/** What every logged string becomes before a reporter sees it. */
export function safeLogText(text: string): string {
  return escapeControl(maskSecrets(text), { lines: true });
}

// Badge and ANSI colour per log type; a terminal gets the symbol in colour, anything else `[type]`.
const badges: Record<string, [symbol: string, color: number]> = {
  fatal: ["✖", 31],
  error: ["✖", 31],
  warn: ["⚠", 33],
  info: ["ℹ", 36],
  success: ["✔", 32],
  debug: ["⚙", 90],
  trace: ["→", 90],
};

function text(arg: unknown): string {
  if (typeof arg === "string") return safeLogText(arg);
  if (arg instanceof Error) return safeLogText(arg.stack ?? arg.message);
  return safeLogText(String(arg));
}

/** `ℹ message` on a terminal (in colour), `[info] message` elsewhere; one write per entry. */
export function lineOf(entry: Pick<LogObject, "type" | "args">, color: boolean): string {
  const message = entry.args.map(text).join(" ");
  const badge = badges[entry.type];
  if (!color || badge === undefined) return `[${entry.type}] ${message}\n`;
  return `\x1b[${badge[1]}m${badge[0]}\x1b[0m ${message}\n`;
}

const stderrReporter: ConsolaReporter = {
  log: (entry) => {
    process.stderr.write(lineOf(entry, colorFor(process.stderr)));
  },
};

const defaultLevel = process.env.INFERLOAD_LOG_LEVEL === "debug" ? 4 : 3;

// throttle 0: consola holds back a line logged like the one before it once it has seen more than five
// such repeats (its count never resets), and prints it a second later: lost if the process exits first,
// and past the end of a command when commands run in one process one after another.
export const log = createConsola({ level: defaultLevel, reporters: [stderrReporter], throttle: 0 });

/** Errors only, or back to the default (commands run in one process one after another, as tests do). */
export function setQuiet(quiet: boolean): void {
  log.level = quiet ? 1 : defaultLevel;
}
