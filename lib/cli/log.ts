// One consola instance writing to stderr, so stdout carries only data (`--json | jq` works).
import { createConsola } from "consola";

export const log = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  level: process.env.INFERLOAD_LOG_LEVEL === "debug" ? 4 : 3,
  formatOptions: { date: false, colors: !process.env.NO_COLOR && process.stderr.isTTY === true },
});

export function setQuiet(quiet: boolean): void {
  if (quiet) log.level = 1;
}
