#!/usr/bin/env bun
// The root command: a lazy command table, --help/--version, and the one place exit codes are set.
import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { colorFor, stripColor } from "../lib/cli/color.ts";
import { describeFailure } from "../lib/cli/errors.ts";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { checkSwitchValues, checkUnknownFlags } from "../lib/cli/flags.ts";
import { log } from "../lib/cli/log.ts";
import { forgetSecrets } from "../lib/cli/secrets.ts";
import { suggest } from "../lib/cli/suggest.ts";
import { commit, version } from "../lib/cli/version.ts";
import { allowRelaunch } from "../lib/runtime/allocator.ts";
import { traceStart } from "../lib/runtime/start-trace.ts";
import { discardPrespawned, prespawnWorkers } from "../lib/worker/prespawn.ts";

// biome-ignore lint/suspicious/noExplicitAny: each command has its own args type
type AnyCommand = CommandDef<any>;

export const commands: Record<string, () => Promise<AnyCommand>> = {
  doctor: () => import("./doctor.ts").then((m) => m.default),
  report: () => import("./report.ts").then((m) => m.default),
  run: () => import("./run.ts").then((m) => m.default),
  sim: () => import("./sim.ts").then((m) => m.default),
  validate: () => import("./validate.ts").then((m) => m.default),
};

export const main = defineCommand({
  meta: {
    name: "inferload",
    version,
    description: "Load generator and benchmark for LLM inference servers (inference-perf compatible)",
  },
  args: {
    version: { type: "boolean", alias: "v", description: "Print the version and git commit" },
  },
  subCommands: commands,
});

/**
 * citty prints arg names as declared (camelCase); users type and docs show kebab-case flags. Colour
 * only when the text goes to a terminal.
 */
async function usage(
  command: AnyCommand,
  parent?: AnyCommand,
  stream: { isTTY?: boolean } = process.stdout,
): Promise<string> {
  const kebab = (await renderUsage(command, parent)).replace(
    /--([a-z]+(?:[A-Z][a-z0-9]*)+)/g,
    (_, name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  );
  // citty right-aligns the flag column for the camelCase widths: align it again.
  const option = /^\s*(-\S(?:.*?\S)?)( {4,})(\S.*)$/;
  // Option lines lose citty's colour codes so their visible width can be measured.
  const lines = kebab.split("\n").map((line) => {
    const plain = stripColor(line);
    return option.test(plain) ? plain : line;
  });
  const width = Math.max(0, ...lines.map((line) => option.exec(line)?.[1]?.length ?? 0));
  const text = lines
    .map((line) => {
      const m = option.exec(line);
      return m === null ? line : `  ${m[1]!.padStart(width)}    ${m[3]!.trimEnd()}`;
    })
    .join("\n");
  return colorFor(stream) ? text : stripColor(text);
}

/** Run the CLI with an argv (without the executable), returning the exit code instead of exiting. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Each command registers the secrets of its own config.
  forgetSecrets();
  try {
    if (name === "--version" || name === "-v") {
      process.stdout.write(`inferload ${version} (${commit()})\n`);
      return ExitCode.ok;
    }
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${await usage(main)}\n`);
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const load = commands[name];
    if (load === undefined) {
      const hint = suggest(name, Object.keys(commands));
      log.error(`Unknown command "${name}"${hint === undefined ? "" : `: did you mean "${hint}"?`}`);
      process.stderr.write(`${await usage(main, undefined, process.stderr)}\n`);
      return ExitCode.usage;
    }
    const command = await load();
    traceStart("main", `command-loaded ${name}`);
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`${await usage(command, main)}\n`);
      return ExitCode.ok;
    }
    const args = typeof command.args === "function" ? await command.args() : ((await command.args) ?? {});
    checkUnknownFlags(rest, args);
    checkSwitchValues(rest, args);
    const { result } = await runCommand(command, { rawArgs: [...rest] });
    return typeof result === "number" ? result : ExitCode.ok;
  } catch (error) {
    const failure = describeFailure(error);
    log.error(failure.text);
    if (failure.isBug) log.error("This is a bug in inferload; please report it with the command you ran");
    return failure.exitCode;
  } finally {
    // Workers started for a run that did not adopt them (help, a refused config) would keep the
    // process alive.
    discardPrespawned();
  }
}

/**
 * Whether `argv` runs a benchmark, so its Workers are worth starting before anything else: a Worker
 * takes ~20 ms to reach its first line, time the main thread spends loading the command and the
 * config (docs/PERFORMANCE.md "Start-up").
 */
export function startsRun(argv: readonly string[]): boolean {
  return argv[0] === "run" && !argv.includes("--help") && !argv.includes("-h");
}

if (import.meta.main) {
  traceStart("main", "modules-loaded");
  const argv = process.argv.slice(2);
  // The CLI owns this process: a long run may start it again (lib/run/allocator-relaunch.ts).
  allowRelaunch();
  if (startsRun(argv)) prespawnWorkers(1);
  process.exitCode = await runCli(argv);
}
