// `inferload run -c CONFIG`: load the config (`-c -`: standard input), check its thresholds, run its
// stages (against the built-in simulator when it names no server), write the reports, print the
// results. Exit 0 ok, 1 could not run or nothing succeeded, 2 config, 3 a threshold failed, 130
// interrupted (reports are written in every case the run got going; docs/scripting.md).
import { type ArgsDef, defineCommand, type ParsedArgs } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { extractSetOverrides } from "../lib/cli/flags.ts";
import { log, setQuiet } from "../lib/cli/log.ts";
import { rememberSecrets } from "../lib/cli/secrets.ts";
import { relaunchLongRun } from "../lib/run/allocator-relaunch.ts";
import { loadBreakerExpressions } from "../lib/run/circuit-breaker.ts";
import { preflightRun } from "../lib/run/preflight.ts";
import { watchSignals } from "../lib/run/signals.ts";
import { isCompiledBinary } from "../lib/runtime/index.ts";
import { traceStart } from "../lib/runtime/start-trace.ts";
import { discardPrespawned } from "../lib/worker/prespawn.ts";
import { configArgs, markersArgs, outputArgs, thresholdArgs } from "./_args.ts";
import { loadCommandConfig } from "./_load-config.ts";
import { checkStdoutFlags, finishReports } from "./_print-reports.ts";
import { thresholdsOf } from "./_thresholds.ts";

const runArgs = {
  ...configArgs,
  ...outputArgs,
  ...markersArgs,
  ...thresholdArgs,
  printConfig: {
    type: "boolean",
    description: "Print the resolved config (defaults filled in, secrets redacted) on stderr before running",
  },
  waitForServer: {
    type: "string",
    description:
      "Seconds to wait for the server to answer GET /v1/models before the first stage (default 60; with server.model_name set, the server is asked only when this is given)",
    valueHint: "seconds",
  },
  overwrite: {
    type: "boolean",
    description:
      "Replace the reports in an existing report folder (without it, a folder you name that already holds reports is refused)",
  },
  serverMetricsOptional: {
    type: "boolean",
    description:
      "With metrics.type prometheus or scrape: if the metrics source does not answer at the start, run without server metrics instead of exiting 1",
  },
} as const satisfies ArgsDef;

export default defineCommand({
  meta: {
    name: "run",
    description:
      "Run a benchmark from a config (inference-perf schema); token lengths use the built-in cl100k_base tokenizer unless `tokenizer` is set",
  },
  args: runArgs,
  async run({ args, rawArgs }) {
    if (!args.config) throw new UserError("Missing config: pass -c CONFIG (YAML, JSON or TOML; - for stdin)");
    checkStdoutFlags(args);
    setQuiet(args.quiet === true);
    // The process's entry (main.ts) has started a load Worker and its builder before loading this
    // command; they come up while the config is read and checked, and the pool adopts them. Any
    // Worker not adopted is ended on the way out.
    try {
      return await runFrom(args.config, args, rawArgs);
    } finally {
      discardPrespawned();
    }
  },
});

/** Config → checks → benchmark → reports → exit code. */
async function runFrom(path: string, args: ParsedArgs<typeof runArgs>, rawArgs: string[]): Promise<number> {
  const loaded = await loadCommandConfig(path, extractSetOverrides(rawArgs));
  traceStart("main", "config-loaded");
  // A long run may start itself again here, with the allocator settings it runs best with: nothing
  // has been printed, created or sent yet.
  relaunchLongRun(loaded.config.load, isCompiledBinary());
  rememberSecrets(loaded.secrets);
  const thresholds = thresholdsOf(loaded.config, rawArgs);
  const waitS = args.waitForServer === undefined ? undefined : Number(args.waitForServer);
  if (waitS !== undefined && !(waitS > 0))
    throw new UserError(`--wait-for-server: expected a number of seconds > 0, got "${args.waitForServer}"`);
  // Everything checkable before any load (exit 2); the server is checked when the run starts (exit 1).
  await loadBreakerExpressions(loaded.config);
  const { reportDir, notes } = preflightRun(loaded.config, {
    name: path,
    outputDir: args.outputDir,
    overwrite: args.overwrite === true,
    autoReportPath: loaded.autoReportPath,
  });
  traceStart("main", "preflight-done");
  for (const note of notes) log.warn(note);
  // Cloud storage: credentials and bucket checked now, before any load (exit 2 when they fail).
  const { simple_storage_service: s3, google_cloud_storage: gcs } = loaded.config.storage;
  const uploads =
    s3 === null && gcs === null
      ? null
      : await (await import("../lib/run/upload.ts")).prepareUploads(loaded.config, process.env);

  if (args.printConfig) {
    const { printConfig } = await import("../lib/config/print.ts");
    process.stderr.write(`Resolved config:\n${printConfig(loaded.config, loaded.secrets)}\n`);
  }
  // Imported here, not at the top: `--help` and config errors should not pay for loading the engine.
  const { runBenchmark } = await import("../lib/run/benchmark.ts");
  traceStart("main", "engine-loaded");
  const interrupts = watchSignals({
    onFirst: (name) =>
      log.warn(
        `${name}: stopping; requests in flight get the grace period (load.stage_teardown_grace_seconds), then reports are written (interrupt again to skip the grace period)`,
      ),
    // Even now the reports are written: it takes milliseconds, and a run without them is lost.
    onSecond: (name) => log.warn(`${name}: cancelling requests in flight; writing the reports`),
    onLater: (name) => log.warn(`${name}: already writing the reports`),
  });
  try {
    const result = await runBenchmark({
      config: loaded.config,
      configFingerprint: () => loaded.fingerprint,
      outputDir: reportDir,
      quiet: args.quiet === true,
      json: args.json === true,
      signal: interrupts.signal,
      hardSignal: interrupts.hard,
      waitForServerMs: waitS === undefined ? undefined : waitS * 1000,
      serverMetricsOptional: args.serverMetricsOptional === true,
    });
    const code = finishReports(result, { ...args, reportDir: result.reportDir, thresholds });
    const failedUploads = uploads === null ? [] : await uploads.upload(result.files);
    if (failedUploads.length > 0) {
      for (const line of failedUploads) log.error(`Upload failed: ${line}`);
      log.error(`The reports are kept in ${result.reportDir ?? "(storage off)"}`);
      return ExitCode.failed;
    }
    if (result.breaker !== null) {
      // The reason is already on the console (and in the reports): the run did not complete.
      log.warn(`Reports written to ${result.reportDir ?? "(storage off)"}`);
      return ExitCode.failed;
    }
    if (result.report.interrupted) {
      log.warn(`Interrupted: partial reports written to ${result.reportDir ?? "(storage off)"}`);
    }
    return code;
  } finally {
    interrupts.dispose();
  }
}
