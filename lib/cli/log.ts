// One consola instance writing to stderr, so stdout carries only data (`--json | jq` works). Every
// line passes one gate first: registered secrets are masked and control characters escaped, since
// log lines carry text from outside (server messages, model ids, file names).
import { type ConsolaReporter, createConsola, type LogObject } from "consola";
import { colorFor } from "./color.ts";
import { maskSecrets } from "./secrets.ts";
import { escapeControl } from "./terminal-text.ts";

export const log = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  level: process.env.INFERLOAD_LOG_LEVEL === "debug" ? 4 : 3,
  formatOptions: { date: false, colors: colorFor(process.stderr) },
});

/** What every logged string becomes before a reporter sees it. */
export function safeLogText(text: string): string {
  return escapeControl(maskSecrets(text), { lines: true });
}

function gated(reporter: ConsolaReporter): ConsolaReporter {
  return {
    log: (logObj: LogObject, ctx) =>
      reporter.log(
        { ...logObj, args: logObj.args.map((arg) => (typeof arg === "string" ? safeLogText(arg) : arg)) },
        ctx,
      ),
  };
}

log.setReporters(log.options.reporters.map(gated));

export function setQuiet(quiet: boolean): void {
  if (quiet) log.level = 1;
}
