// A sweep's plan: run the saturation probe (stage -1, never reported) through the engine's runner,
// estimate the server's maximum rate from the probe's metrics, and turn it into the ladder of stages. Prints the probe's
// result and the stages before they run; returns them with the `sweep` object for the report.
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { log } from "../cli/log.ts";
import type { ClosedStage, RateStage, StageInfo } from "../load/stage.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import { ladderRates } from "./ladder.ts";
import { estimateSaturation, type ProbeCompletion } from "./saturation.ts";
import {
  describeProbePlan,
  describeSweep,
  PROBE_CONCURRENCY,
  type SweepReport,
  type SweepSettings,
  sweepReport,
  sweepStages,
} from "./summary.ts";

/** The config fields a sweep reads; the resolved Config fits. */
export interface SweepConfigView {
  load: { type: string; sweep: SweepSettings | null; stages?: readonly unknown[] };
}

export interface SweepPlanOptions {
  /** First Ctrl-C: stop the probe; no stages are planned. */
  signal?: AbortSignal | undefined;
  /** Second Ctrl-C: cancel requests in flight at once. */
  hardSignal?: AbortSignal | undefined;
}

export type SweepPlan =
  | { interrupted: false; stages: RateStage[]; sweep: SweepReport }
  | { interrupted: true; stages: []; sweep: null };

/** What the sweep needs of the engine's runner (lib/run/runner.ts implements it). */
export interface ProbeRunner {
  runStage(
    stage: ClosedStage,
    options: { signal: AbortSignal; hardSignal: AbortSignal; keepCompletions: true },
  ): Promise<{
    info: Pick<StageInfo, "startMs" | "endMs">;
    metrics: Pick<MetricsSnapshot, "completions" | "failureCount" | "byKind">;
  }>;
}

/** The probe as a stage: a closed loop of num_requests at 1000 in flight, id -1. */
export function probeStage(settings: SweepSettings): ClosedStage {
  return { id: -1, kind: "closed", concurrency: PROBE_CONCURRENCY, numRequests: settings.num_requests };
}

export async function planSweep(
  runner: ProbeRunner,
  config: SweepConfigView,
  options: SweepPlanOptions = {},
): Promise<SweepPlan> {
  const settings = config.load.sweep;
  if (settings === null) throw new RangeError("planSweep() needs load.sweep");
  const arrivals = config.load.type;
  if (arrivals !== "constant" && arrivals !== "poisson") {
    throw new UserError(`load.sweep: expected load.type constant or poisson, got "${arrivals}"`);
  }

  if ((config.load.stages?.length ?? 0) > 0) {
    log.warn(
      "load.stages is ignored: load.sweep replaces the stages with its ladder (as inference-perf does)",
    );
  }
  log.info(describeProbePlan(settings));
  // sweep.timeout bounds the probe: at the deadline, stop sending and cancel what is in flight.
  // The runner starts the schedule a few ms after it is called; completions are cut at exactly
  // start + timeout below, so the timer only needs to fire no earlier than that.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), settings.timeout * 1000 + 100);
  const stop = anySignal([options.signal, deadline.signal]);
  const hard = anySignal([options.hardSignal, deadline.signal]);
  let run: Awaited<ReturnType<ProbeRunner["runStage"]>>;
  try {
    run = await runner.runStage(probeStage(settings), {
      signal: stop,
      hardSignal: hard,
      keepCompletions: true,
    });
  } finally {
    clearTimeout(timer);
  }
  if (options.signal?.aborted) return { interrupted: true, stages: [], sweep: null };

  const completions: readonly ProbeCompletion[] = run.metrics.completions ?? [];
  const cancelled = run.metrics.byKind.cancelled ?? 0;
  const failed = run.metrics.failureCount - cancelled;

  const timedOut = deadline.signal.aborted;
  const unsent = Math.max(0, settings.num_requests - completions.length - failed - cancelled);
  const outcome = {
    completed: completions.length,
    failed,
    cancelled: cancelled + unsent,
    durationS: (run.info.endMs - run.info.startMs) / 1000,
    timedOut,
  };
  let saturation: ReturnType<typeof estimateSaturation>;
  try {
    saturation = estimateSaturation({
      completions,
      failures: failed,
      startMs: run.info.startMs,
      timeoutS: settings.timeout,
      percentile: settings.saturation_percentile,
    });
  } catch (error) {
    // The server could not be measured: the run fails (exit 1), it is not a config mistake.
    if (error instanceof UserError)
      throw new UserError(error.message, { details: error.details, exitCode: ExitCode.failed });
    throw error;
  }
  if (saturation.maxRate < 0.01) {
    throw new UserError(
      `Cannot plan the sweep: the server's saturation rate was measured at ${saturation.maxRate} req/s, below the 0.01 req/s a stage rate can express`,
      { exitCode: ExitCode.failed },
    );
  }
  const rates = ladderRates(saturation.maxRate, settings.num_stages, settings.type);
  const stages = sweepStages(rates, arrivals, settings.stage_duration);
  const sweep = sweepReport(settings, outcome, saturation, stages);
  for (const line of describeSweep(sweep)) log.info(line);
  return { interrupted: false, stages, sweep };
}

/** AbortSignal.any without the undefined entries. */
function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length === 1 ? (present[0] as AbortSignal) : AbortSignal.any(present);
}
