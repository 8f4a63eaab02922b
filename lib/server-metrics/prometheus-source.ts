// Server metrics from a Prometheus server (or Google Managed Prometheus), as inference-perf reads
// them: after the run it waits one scrape interval plus 2 s (so the last requests are scraped), then
// evaluates the catalog's PromQL per stage and for the run. Windows: a stage from its start to its end
// plus that padding, but never past the next stage's start (inference-perf lets them overlap, mixing
// two stages); the run from the first stage's start to now; both aligned to whole seconds from the start.
import type { StageInfo } from "../load/stage.ts";
import type { MetricSpec } from "./catalog.ts";
import type { PromClient, QueryOutcome } from "./prom-api.ts";
import { metricQueries, rangeSeconds, underscoredQuery } from "./promql.ts";
import { resultFromValues, roundValue, type ServerMetricValues, type Value } from "./results.ts";
import type { FinishOptions, ServerMetricsOutcome, ServerMetricsSource, StageValues } from "./source.ts";

/** inference-perf's PROMETHEUS_SCRAPE_BUFFER_SEC: added to the scrape interval before querying. */
export const SCRAPE_BUFFER_S = 2;

export interface QueryWindow {
  /** Evaluation time, epoch ms. */
  readonly evalMs: number;
  /** Range, seconds (rounded in the query). */
  readonly durationS: number;
}

/**
 * A stage's window: from its start to its end + interval + buffer (never past the next stage's
 * start), as whole seconds from the start. The query's range is whole seconds (`[Ns]`), so the
 * evaluation time is put at start + N s: the range then begins exactly at the stage's start instead of
 * up to half a second before it, where Prometheus's `increase()` would extrapolate over idle time.
 */
export function stageWindow(
  stage: Pick<StageInfo, "startMs" | "endMs">,
  nextStartMs: number | null,
  scrapeIntervalS: number,
): QueryWindow {
  let endMs = stage.endMs + (scrapeIntervalS + SCRAPE_BUFFER_S) * 1000;
  if (nextStartMs !== null) endMs = Math.max(stage.endMs, Math.min(endMs, nextStartMs));
  let seconds = rangeSeconds((endMs - stage.startMs) / 1000);
  if (nextStartMs !== null && seconds > 1 && stage.startMs + seconds * 1000 > nextStartMs) seconds--;
  return { evalMs: stage.startMs + seconds * 1000, durationS: seconds };
}

/** The run's window: whole seconds from the first stage's start, evaluated no later than `nowMs`. */
export function runWindow(firstStartMs: number, nowMs: number): QueryWindow {
  const seconds = Math.max(1, Math.floor((nowMs - firstStartMs) / 1000));
  return { evalMs: firstStartMs + seconds * 1000, durationS: seconds };
}

/**
 * After this many queries in a row get no Prometheus answer at all (dead, hanging, or not Prometheus),
 * the rest are not tried: the wait is bounded by a few timeouts, not one per query.
 */
const GIVE_UP_AFTER = 3;

export interface PrometheusSourceOptions {
  client: PromClient;
  specs: readonly MetricSpec[];
  filters: readonly string[];
  scrapeIntervalS: number;
  description: string;
  /** Waits `ms` (the pre-query pause); injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Queries in flight at once. */
  concurrency?: number;
}

export function createPrometheusSource(options: PrometheusSourceOptions): ServerMetricsSource {
  const { client, specs, filters } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const stages: StageInfo[] = [];
  let silentInARow = 0;
  const errors: string[] = [];

  async function ask(query: string, atMs: number): Promise<QueryOutcome> {
    if (silentInARow >= GIVE_UP_AFTER) return { kind: "error", message: "skipped", transport: true };
    const outcome = await client.query(query, atMs);
    if (outcome.kind === "error" && outcome.transport) silentInARow++;
    else silentInARow = 0;
    if (outcome.kind === "error" && outcome.message !== "skipped") errors.push(outcome.message);
    return outcome;
  }

  async function value(query: string, atMs: number): Promise<{ value: Value; failed: boolean }> {
    let outcome = await ask(query, atMs);
    if (outcome.kind === "empty") {
      const alternative = underscoredQuery(query);
      if (alternative !== query) outcome = await ask(alternative, atMs);
    }
    if (outcome.kind === "value") return { value: roundValue(outcome.value), failed: false };
    return { value: null, failed: outcome.kind === "error" };
  }

  /** Every catalog query of one window; null when none got an answer. */
  async function evaluate(window: QueryWindow): Promise<ServerMetricValues | null> {
    const jobs = specs.flatMap((spec) =>
      metricQueries(spec, window.durationS, filters).map((query, index) => ({ spec, index, query })),
    );
    const answers = new Array<Value>(jobs.length).fill(null);
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        const got = await value((jobs[i] as (typeof jobs)[number]).query, window.evalMs);
        answers[i] = got.value;
        if (got.failed) failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, jobs.length) }, worker));
    if (failed === jobs.length) return null;
    const out: Record<string, ReturnType<typeof resultFromValues>> = {};
    for (const spec of specs) {
      const mine = jobs.flatMap((job, i) => (job.spec === spec ? [answers[i] as Value] : []));
      out[spec.field] = resultFromValues(spec.kind, mine);
    }
    return out;
  }

  return {
    description: options.description,
    async check() {
      const outcome = await client.query("vector(1)", now());
      if (outcome.kind === "value") return null;
      return outcome.kind === "error" ? outcome.message : "the test query vector(1) returned nothing";
    },
    async stageStarting() {},
    async stageEnded(info) {
      if (info.id >= 0) stages.push(info);
    },
    async finish(opts: FinishOptions): Promise<ServerMetricsOutcome> {
      const first = stages[0];
      if (first === undefined || (!opts.summary && !opts.perStage))
        return { summary: null, stages: [], specs, warnings: [] };
      // Let Prometheus scrape what the last requests did before asking.
      await sleep((options.scrapeIntervalS + SCRAPE_BUFFER_S) * 1000);
      const perStage: StageValues[] = [];
      const warnings: string[] = [];
      if (opts.perStage) {
        for (const [i, stage] of stages.entries()) {
          const values = await evaluate(
            stageWindow(stage, stages[i + 1]?.startMs ?? null, options.scrapeIntervalS),
          );
          if (values === null) warnings.push(`Stage ${stage.id}: no query answered`);
          else perStage.push({ id: stage.id, values });
        }
      }
      let summary: ServerMetricValues | null = null;
      if (opts.summary) {
        summary = await evaluate(runWindow(first.startMs, now()));
        if (summary === null) warnings.push("Run summary: no query answered");
      }
      if (errors.length > 0) {
        warnings.push(`${errors.length} queries to ${client.queryUrl} failed (first: ${errors[0]})`);
      }
      if (silentInARow >= GIVE_UP_AFTER)
        warnings.push(`${client.queryUrl} stopped answering; later queries were skipped`);
      return { summary, stages: perStage, specs, warnings };
    },
    close() {},
  };
}
