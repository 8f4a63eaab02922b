// The main thread's accumulator of request records: routes each record to its stage's and its
// adapter-stage's metrics, closes a stage's numbers when it ends, and closes the run into a RunReport.
// Every stage is accumulated, including those not reported (the sweep's probe), so the runner's warnings
// and the sweep read the same numbers the reports use. Pure: no clock, no console, no files.
import { isReported, type StageInfo } from "../load/stage.ts";
import type { RequestRecord } from "../record/record.ts";
import type { GoodputConstraints } from "./goodput.ts";
import { defaultPercentiles } from "./percentiles.ts";
import { type MetricsSnapshot, StageMetrics, type StageMetricsOptions } from "./stage-metrics.ts";

/** The slice of the resolved config the collector reads; the full `Config` satisfies it. */
export interface CollectorConfig {
  report: {
    request_lifecycle: {
      percentiles?: readonly number[] | null | undefined;
      max_error_messages?: number | null | undefined;
    };
    goodput?: { constraints?: GoodputConstraints | undefined } | null | undefined;
  };
}

export interface StageResult {
  info: StageInfo;
  metrics: MetricsSnapshot;
}

export interface AdapterResult {
  adapter: string;
  metrics: MetricsSnapshot;
}

export interface AdapterStageResult extends StageResult {
  adapter: string;
}

/** Everything the report renderers need; plain data (JSON-serialisable but for NaN in empty buckets). */
export interface RunReport {
  interrupted: boolean;
  summary: MetricsSnapshot;
  stages: StageResult[];
  adapters: AdapterResult[];
  adapterStages: AdapterStageResult[];
  percentiles: readonly number[];
}

export interface StageOptions {
  /** Keep each success's send and end time (the sweep's saturation estimate needs them). */
  keepCompletions?: boolean | undefined;
}

export interface Collector {
  stageStarted(info: StageInfo, options?: StageOptions): void;
  add(record: RequestRecord): void;
  /** Closes a stage's numbers (the accumulator stays open for late records) and returns them. */
  stageEnded(info: StageInfo): StageResult;
  finish(options: { interrupted: boolean }): RunReport;
}

export interface CollectorOptions {
  config: CollectorConfig;
  /** For tests: samples kept exactly per distribution before switching to the sketch. */
  exactLimit?: number | undefined;
}

interface StageEntry {
  info: StageInfo;
  metrics: StageMetrics;
  ended: boolean;
}

export function createCollector(options: CollectorOptions): Collector {
  const lifecycle = options.config.report.request_lifecycle;
  const metricsOptions: StageMetricsOptions = {
    percentiles: lifecycle.percentiles ?? defaultPercentiles,
    maxErrorMessages: lifecycle.max_error_messages ?? 100,
    exactLimit: options.exactLimit,
    goodput: options.config.report.goodput?.constraints ?? null,
  };
  const stages = new Map<number, StageEntry>();
  const adapterStages = new Map<string, Map<number, StageMetrics>>();

  function stageEntry(id: number): StageEntry {
    let entry = stages.get(id);
    if (entry === undefined) {
      entry = { info: placeholderInfo(id), metrics: new StageMetrics(metricsOptions), ended: false };
      stages.set(id, entry);
    }
    return entry;
  }

  function adapterStage(adapter: string, id: number): StageMetrics {
    let byStage = adapterStages.get(adapter);
    if (byStage === undefined) adapterStages.set(adapter, (byStage = new Map()));
    let metrics = byStage.get(id);
    if (metrics === undefined) byStage.set(id, (metrics = new StageMetrics(metricsOptions)));
    return metrics;
  }

  return {
    stageStarted(info, stageOptions = {}) {
      const existing = stages.get(info.id);
      if (existing !== undefined && !stageOptions.keepCompletions) {
        existing.info = info;
        return;
      }
      const metrics = new StageMetrics({ ...metricsOptions, keepCompletions: stageOptions.keepCompletions });
      stages.set(info.id, { info, metrics, ended: false });
    },
    add(record) {
      const entry = stageEntry(record.stageId);
      entry.metrics.add(record);
      if (record.adapter !== null && isReported(record.stageId))
        adapterStage(record.adapter, record.stageId).add(record);
    },
    stageEnded(info) {
      const entry = stageEntry(info.id);
      entry.info = info;
      entry.ended = true;
      return { info, metrics: entry.metrics.snapshot() };
    },
    finish({ interrupted }) {
      const ordered = [...stages.entries()].filter(([id]) => isReported(id)).sort((a, b) => a[0] - b[0]);
      const stageResults: StageResult[] = ordered.map(([, entry]) => ({
        info: entry.ended
          ? entry.info
          : { ...entry.info, status: interrupted ? "interrupted" : entry.info.status },
        metrics: entry.metrics.snapshot(),
      }));
      const summary = mergeAll(
        ordered.map(([, entry]) => entry.metrics),
        metricsOptions,
      );
      const infoById = new Map(stageResults.map((stage) => [stage.info.id, stage.info]));
      const adapters: AdapterResult[] = [];
      const adapterStageResults: AdapterStageResult[] = [];
      for (const [adapter, byStage] of [...adapterStages].sort((a, b) => a[0].localeCompare(b[0]))) {
        const perStage = [...byStage].sort((a, b) => a[0] - b[0]);
        adapters.push({
          adapter,
          metrics: mergeAll(
            perStage.map(([, m]) => m),
            metricsOptions,
          ).snapshot(),
        });
        for (const [id, metrics] of perStage) {
          adapterStageResults.push({
            adapter,
            info: infoById.get(id) ?? placeholderInfo(id),
            metrics: metrics.snapshot(),
          });
        }
      }
      return {
        interrupted,
        summary: summary.snapshot(),
        stages: stageResults,
        adapters,
        adapterStages: adapterStageResults,
        percentiles: metricsOptions.percentiles,
      };
    },
  };
}

function mergeAll(all: readonly StageMetrics[], options: StageMetricsOptions): StageMetrics {
  let merged = new StageMetrics(options);
  for (const metrics of all) merged = StageMetrics.merge(merged, metrics);
  return merged;
}

/** Info for a stage whose records arrived before (or without) stageStarted. */
function placeholderInfo(id: number): StageInfo {
  return {
    id,
    kind: "rate",
    type: "constant",
    rate: null,
    durationS: null,
    concurrency: null,
    numRequests: 0,
    startMs: Number.NaN,
    endMs: Number.NaN,
    status: "completed",
  };
}
