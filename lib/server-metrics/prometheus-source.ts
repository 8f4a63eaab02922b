// Server metrics from a Prometheus server (or Google Managed Prometheus), as inference-perf reads
// them: after the run it waits one scrape interval plus 2 s (so the last requests are scraped), then
// evaluates the catalog's PromQL per stage and for the run. Windows: a stage is evaluated at its end
// plus that padding, over the range back to its start, but never past the next stage's start (which
// inference-perf lets overlap, mixing two stages); the run from the first stage's start to now.
import type { StageInfo } from "../load/stage.ts";
import type { MetricSpec } from "./catalog.ts";
import type { PromClient, QueryOutcome } from "./prom-api.ts";
import { metricQueries, underscoredQuery } from "./promql.ts";
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

/** A stage's window: end + interval + buffer, clipped at the next stage's start, back to its start. */
export function stageWindow(
  stage: Pick<StageInfo, "startMs" | "endMs">,
  nextStartMs: number | null,
  scrapeIntervalS: number,
): QueryWindow {
  let evalMs = stage.endMs + (scrapeIntervalS + SCRAPE_BUFFER_S) * 1000;
  if (nextStartMs !== null) evalMs = Math.max(stage.endMs, Math.min(evalMs, nextStartMs));
  return { evalMs, durationS: (evalMs - stage.startMs) / 1000 };
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
        const at = now();
        summary = await evaluate({ evalMs: at, durationS: (at - first.startMs) / 1000 });
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
