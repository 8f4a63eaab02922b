// A whole `inferload run`: target → plan → stages on the Worker pool → collector → reports. Returns
// the report and paths; the command renders them and picks the exit code. Logs go to stderr.

import { UserError } from "../cli/errors.ts";
import { log } from "../cli/log.ts";
import type { Config } from "../config/schema.ts";
import { ensureHubDataset } from "../data/dataset-source.ts";
import { loadTokenizer } from "../data/tokenizer/load.ts";
import { readTrace, type Trace } from "../data/trace-csv.ts";
import { planRun, SessionPlanError } from "../load/plan-run.ts";
import { isReported, type Stage } from "../load/stage.ts";
import { describeTrace } from "../load/trace.ts";
import { createCollector, type RunReport } from "../metrics/collector.ts";
import { createRecordWriter } from "../report/records.ts";
import type { ServerMetricsReports } from "../report/server-metrics-files.ts";
import {
  perRequestRecordsPath,
  reportDir,
  writeConfigYaml,
  writeReports,
  writeStageReport,
} from "../report/write.ts";
import { traceStart } from "../runtime/start-trace.ts";
import type { ServerMetricsSource } from "../server-metrics/source.ts";
import { planSweep } from "../sweep/plan.ts";
import type { SweepReport } from "../sweep/summary.ts";
import { describeTrip, tripKeys, watchBreakers } from "./breaker-watch.ts";
import { type BreakerTrip, loadBreakerExpressions } from "./circuit-breaker.ts";
import { sequenceFingerprint } from "./fingerprint.ts";
import { startProgress } from "./progress.ts";
import { openRunner, runStages } from "./runner.ts";
import { effectiveInterval, finishServerMetrics, startServerMetrics } from "./server-metrics.ts";
import { prepareSessions, type RunSessions } from "./sessions.ts";
import { openTarget, serverModel } from "./target.ts";

export interface BenchmarkOptions {
  config: Config;
  /**
   * The config's fingerprint, asked for when the reports are written: hashing it takes node:crypto,
   * a few ms a run should not spend before its first request (docs/PERFORMANCE.md "Start-up").
   */
  configFingerprint: () => string;
  outputDir?: string | undefined;
  quiet?: boolean | undefined;
  /** --json: stdout carries the JSON summary; no live progress line. */
  json?: boolean | undefined;
  /** First Ctrl-C: stop scheduling, finish in-flight within the grace period, write reports. */
  signal?: AbortSignal | undefined;
  /** Second Ctrl-C: abort in-flight requests now. */
  hardSignal?: AbortSignal | undefined;
  /**
   * How long to wait for the server to answer before the first stage (--wait-for-server). Undefined:
   * 60 s when the model must be listed, no wait at all when server.model_name names it.
   */
  waitForServerMs?: number | undefined;
  /** Run without server metrics when their source does not answer at the start (else: exit 1). */
  serverMetricsOptional?: boolean | undefined;
}

export interface BenchmarkResult {
  report: RunReport;
  files: string[];
  reportDir: string | null;
  sequenceFingerprint: string;
  extra: Record<string, unknown>;
  /** The prometheus_metrics report bodies (metrics.type prometheus or scrape), or null. */
  serverMetrics: ServerMetricsReports | null;
  /** The circuit breaker (of load.circuit_breakers) that stopped the run, or null. */
  breaker: BreakerTrip | null;
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const baseSeed = options.config.load.base_seed;
  log.info(`base_seed: ${baseSeed} (set load.base_seed to replay this run's request sequence)`);
  const target = await openTarget(options.config);
  const { config } = target;
  let serverMetrics: ServerMetricsSource | null = null;
  let metricsSource: Promise<ServerMetricsSource | null> | null = null;
  try {
    const dir = reportDir(config, options.outputDir);
    // Saved as soon as the first stage (or the sweep's probe) has begun, so an interrupted or crashed
    // run has it; not before, as printing it would delay the first request by 5-15 ms, and its YAML
    // printer (js-yaml) is imported only then (docs/PERFORMANCE.md "Start-up"). Rewritten at the end
    // with what the run used, after this first save.
    let configSaved: Promise<void> | null = null;
    const saveConfig = () => {
      configSaved ??= import("../config/print.ts").then(({ printConfig }) => {
        try {
          writeConfigYaml(config, { dir: dir ?? undefined, configYaml: printConfig(config) });
        } catch (error) {
          // The final write tries again and reports what fails.
          log.warn(`Cannot save config.yaml yet: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    };
    // The server is asked (when it must be: serverModel) from now on, while the main thread warms up
    // and (with server.model_name set) while the Workers start: start-up is the longest of them, not
    // their sum.
    const model = serverModel(config, {
      signal: options.signal,
      waitMs: options.waitForServerMs,
    });
    model.then(
      () => traceStart("main", "model-known"),
      () => {},
    );
    model.catch(() => {}); // awaited below; a failure while warming up must not go unhandled
    // The metrics source is checked once the model is known (its queries name it), also alongside
    // warm-up. Unreachable: the run stops before any load (exit 1) unless --server-metrics-optional.
    const checking = model.then((name) =>
      startServerMetrics(config, name, {
        optional: options.serverMetricsOptional === true,
        env: process.env,
      }),
    );
    checking.catch(() => {}); // awaited with the Workers below
    metricsSource = checking;
    // Load the tokenizer here first: a hub download happens once (Workers then read the cache) and
    // its errors are reported before any Worker starts. The built-in one loads lazily (nothing here).
    const tokenizer = await loadTokenizer(config.tokenizer, { env: process.env, log });
    // The chat template (data.use_chat_template) must fit the prompt lengths; checked now, before any
    // load. Imported only then: it brings a Jinja engine a run's start should not evaluate.
    if (config.data.type === "random" && config.data.use_chat_template)
      (await import("../data/templated-random.ts")).checkChatTemplate(config, tokenizer);
    // Same for the public ShareGPT dataset: download it once here rather than once per Worker.
    if (config.data.type === "shareGPT" && config.data.path === null) {
      const { ensureShareGptDataset } = await import("../data/sharegpt-load.ts");
      await ensureShareGptDataset({ env: process.env, token: config.tokenizer?.token, log });
    }
    await ensureHubDataset(config.data, { env: process.env, token: config.tokenizer?.token, log });
    // Session workloads: the corpus is read and checked here, once, before any Worker starts.
    const sessions = await prepareSessions(config, tokenizer);
    const { stages, dataTrace } = await plan(config, sessions);
    traceStart("main", "planned");
    // The listed model when none is named: the Workers need it, so they wait for the answer.
    const modelName = config.server?.model_name ?? (await model);
    const collector = createCollector({ config });
    const recordsPath = perRequestRecordsPath(config, dir);
    // The per-request file is a tee beside the collector: reported stages only, streamed as they arrive.
    const records = recordsPath === undefined ? null : createRecordWriter(recordsPath);
    await loadBreakerExpressions(config);
    const breakers = watchBreakers(config);
    const opening = openRunner({
      config,
      model: modelName,
      collector,
      tee:
        records === null && breakers === null
          ? undefined
          : (r) => {
              if (records !== null && isReported(r.stageId)) records.write(r);
              breakers?.feed(r);
            },
      traceLengths: dataTrace,
      // Sessions go to their collector and, with the records, to the file (so `report` rebuilds them).
      sessions:
        sessions === null
          ? undefined
          : {
              add: (r) => sessions.collector.add(r),
              addSession: (l) => {
                sessions.collector.addSession(l);
                if (records !== null && isReported(l.stageId)) records.writeSession(l);
              },
              unreported: (stageId) => sessions.collector.unreported(stageId, sessions.describe),
              stageEnded: (info) => {
                sessions.collector.stageEnded(info);
                if (records !== null && isReported(info.stageId)) records.writeSessionStage(info);
              },
            },
      replay: sessions?.replay,
      conversationSlots: sessions?.conversationSlots,
    });
    // The first stage waits for the Workers, the server's answer and the metrics source's check.
    const [runner, , source] = await Promise.all([opening, model, checking]).catch(async (error: unknown) => {
      (await opening.catch(() => null))?.close();
      (await checking.catch(() => null))?.close();
      records?.close();
      throw error;
    });
    traceStart("main", "workers-ready");
    serverMetrics = source;
    // Per-stage Prometheus reports need stages at least one scrape interval apart.
    const interval = serverMetrics === null ? config.load.interval : effectiveInterval(config);
    if (interval !== config.load.interval) {
      log.info(
        `load.interval raised to ${interval} s (one Prometheus scrape interval) for per-stage server metrics`,
      );
    }
    const runConfig: Config =
      interval === config.load.interval ? config : { ...config, load: { ...config.load, interval } };
    // The live line is for a person watching: off with --quiet and with --json (habit 13).
    const progress = startProgress({ sample: runner.progress, quiet: options.quiet || options.json });
    let result: Awaited<ReturnType<typeof runStages>>;
    let sweep: SweepReport | null = null;
    let planned = stages.length;
    try {
      // load.sweep (lib/sweep): the saturation probe runs first, on the same Workers, and its ladder
      // replaces the stages.
      if (runConfig.load.sweep) saveConfig();
      const swept = runConfig.load.sweep
        ? await planSweep(runner, runConfig, { signal: options.signal, hardSignal: options.hardSignal })
        : null;
      sweep = swept?.sweep ?? null;
      if (swept) planned = swept.stages.length;
      result = await runStages(runner, runConfig, swept ? swept.stages : stages, {
        signal: options.signal,
        hardSignal: options.hardSignal,
        failSignal: breakers?.signal,
        stageStarting: (stage) => serverMetrics?.stageStarting(stage.id),
        stageBegun: saveConfig,
        stageEnded: async (run) => {
          await serverMetrics?.stageEnded(run.info);
          records?.writeStage(run.info);
          records?.flush();
          // Save the stage now, so a crash later in the run keeps it (the final write adds fingerprints).
          writeStageReport(run, runConfig, { dir: dir ?? undefined });
          if (run.metrics.connections.resent > 0) {
            log.debug(
              `Stage ${run.info.id}: ${run.metrics.connections.resent} requests re-sent after a stale keep-alive close`,
            );
          }
        },
      });
    } finally {
      progress.stop();
      runner.close();
      records?.flush();
    }
    const trip = breakers?.trip() ?? null;
    if (trip !== null) {
      const skipped = planned - result.runs.length;
      log.error(
        `Stage ${trip.stageId} failed: ${describeTrip(trip)}${skipped > 0 ? `; ${skipped} later stage(s) not run` : ""}`,
      );
    }
    const fingerprint = sequenceFingerprint(result.runs.map((r) => r.sequence));
    log.info(`Request sequence fingerprint: ${fingerprint}`);
    const extra = {
      sequence_fingerprint: fingerprint,
      base_seed: baseSeed,
      config_fingerprint: options.configFingerprint(),
      ...(sweep === null ? {} : { sweep }),
      ...(trip === null ? {} : { circuit_breaker: tripKeys(trip, breakers?.openedAtMs() ?? Number.NaN) }),
    };
    const report = collector.finish({ interrupted: result.interrupted });
    // The closing line makes the file enough to rebuild these very reports (`inferload report`).
    records?.writeRun({ interrupted: result.interrupted, extra });
    records?.close();
    await configSaved;
    const { printConfig } = await import("../config/print.ts");
    const files = await writeReports(report, runConfig, {
      dir: dir ?? undefined,
      configYaml: printConfig(runConfig),
      extra,
      perRequestRecords: recordsPath,
      sessions: sessions?.collector.finish(),
    });
    // After the client-side reports are on disk: nothing server-side can cost them.
    const server =
      serverMetrics === null
        ? null
        : await finishServerMetrics(serverMetrics, runConfig, { dir: dir ?? undefined, client: report });
    files.push(...(server?.files ?? []));
    return {
      report,
      files,
      reportDir: dir,
      sequenceFingerprint: fingerprint,
      extra,
      serverMetrics: server?.reports ?? null,
      breaker: trip,
    };
  } finally {
    serverMetrics?.close();
    // A source whose check was still going when start-up failed: closed once the check is over.
    if (serverMetrics === null)
      void metricsSource?.then(
        (s) => s?.close(),
        () => {},
      );
    await target.stop();
  }
}

interface Plan {
  stages: Stage[];
  /** data.trace (random data), read once here for every Worker, else null. */
  dataTrace: Trace | null;
}

/** Reads what the plan depends on (trace files), then plans the stages. */
async function plan(config: Config, sessions: RunSessions | null): Promise<Plan> {
  const usesDataTrace = config.data.trace !== null && config.data.type === "random";
  const timingSource = config.load.type === "trace_replay" ? config.load.trace : null;
  const timing = timingSource === null ? null : await readTrace(timingSource);
  // Usually the same file as the timing trace: read it once (a trace of millions of rows takes seconds).
  const dataTrace =
    !usesDataTrace || config.data.trace === null
      ? null
      : timing !== null && config.data.trace.file === timing.file
        ? timing
        : await readTrace(config.data.trace);
  let planned: ReturnType<typeof planRun>;
  try {
    planned = planRun(config.load, {
      timing,
      dataRows: dataTrace?.count ?? null,
      sessionCalls: sessions?.sessionCalls ?? null,
    });
  } catch (error) {
    if (!(error instanceof SessionPlanError)) throw error;
    const section = config.data.type === "weka_trace_replay" ? "weka_trace_replay" : "otel_trace_replay";
    throw new UserError(error.message, {
      details: [`Set data.${section}.duplicate_sessions_target to replay sessions more than once`],
    });
  }
  const { stages, notes } = planned;
  for (const note of notes) log.warn(note);
  if (timing !== null) log.info(describeTrace(timing, Math.max(0, ...stages.map((s) => s.numRequests))));
  return { stages, dataTrace };
}
