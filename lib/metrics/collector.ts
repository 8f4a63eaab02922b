// The main thread's sink for request records: routes each record to its stage and adapter-stage
// accumulators, streams it to the per-request JSONL file when asked, keeps progress counters, and
// closes everything into a RunReport. Records with stageId < 0 (the sweep's probe) are ignored.
// No clock and no console; the only I/O is the optional record file.
import { createRecordWriter, type RecordWriter } from "../report/records.ts";
import { defaultPercentiles } from "./percentiles.ts";
import type { RequestRecord } from "./record.ts";
import type { StageInfo } from "./stage-info.ts";
import { type ClosedMetrics, StageMetrics, type StageMetricsOptions } from "./stage-metrics.ts";

/** The slice of the resolved config the collector reads; the full `Config` satisfies it. */
export interface CollectorConfig {
  report: {
    request_lifecycle: {
      percentiles?: readonly number[] | null | undefined;
      max_error_messages?: number | null | undefined;
    };
  };
}

export interface StageResult {
  info: StageInfo;
  metrics: ClosedMetrics;
}

export interface AdapterResult {
  adapter: string;
  metrics: ClosedMetrics;
}

export interface AdapterStageResult extends StageResult {
  adapter: string;
}

/** Everything the report renderers need; plain data (JSON-serialisable but for NaN in empty buckets). */
export interface RunReport {
  interrupted: boolean;
  summary: ClosedMetrics;
  stages: StageResult[];
  adapters: AdapterResult[];
  adapterStages: AdapterStageResult[];
  percentiles: readonly number[];
  /** The per-request JSONL file, when one was written. */
  perRequestPath: string | null;
}

export interface CollectorCounters {
  /** Records received (stage ≥ 0), successes plus failures. */
  done: number;
  failed: number;
}

export interface Collector {
  stageStarted(info: StageInfo): void;
  add(record: RequestRecord): void;
  /** Closes a stage's numbers (the accumulator stays open for late records) and returns them. */
  stageEnded(info: StageInfo): StageResult | null;
  /** Writes buffered per-request lines to disk; the runner may call it after each batch. */
  flush(): void;
  readonly counters: Readonly<CollectorCounters>;
  finish(options: { interrupted: boolean }): RunReport;
}

export interface CollectorOptions {
  config: CollectorConfig;
  /** Stream every record to this JSONL file as it arrives (report.request_lifecycle.per_request). */
  perRequestPath?: string | undefined;
  /** For tests: samples kept exactly per distribution before switching to the sketch. */
  exactLimit?: number | undefined;
}

export function createCollector(options: CollectorOptions): Collector {
  const lifecycle = options.config.report.request_lifecycle;
  const metricsOptions: StageMetricsOptions = {
    percentiles: lifecycle.percentiles ?? defaultPercentiles,
    maxErrorMessages: lifecycle.max_error_messages ?? 100,
    exactLimit: options.exactLimit,
  };
  const stages = new Map<number, { info: StageInfo; metrics: StageMetrics; ended: boolean }>();
  const adapterStages = new Map<string, Map<number, StageMetrics>>();
  const writer: RecordWriter | null = options.perRequestPath
    ? createRecordWriter(options.perRequestPath)
    : null;
  const counters: CollectorCounters = { done: 0, failed: 0 };

  function stageEntry(id: number) {
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
    stageStarted(info) {
      if (info.id < 0) return;
      stageEntry(info.id).info = info;
    },
    add(record) {
      if (record.stageId < 0) return;
      counters.done++;
      if (record.failure !== null) counters.failed++;
      stageEntry(record.stageId).metrics.add(record);
      if (record.adapter !== null) adapterStage(record.adapter, record.stageId).add(record);
      writer?.write(record);
    },
    stageEnded(info) {
      if (info.id < 0) return null;
      const entry = stageEntry(info.id);
      entry.info = info;
      entry.ended = true;
      writer?.writeStage(info);
      writer?.flush();
      return { info, metrics: entry.metrics.close() };
    },
    flush() {
      writer?.flush();
    },
    counters,
    finish({ interrupted }) {
      const ordered = [...stages.entries()].sort((a, b) => a[0] - b[0]);
      const stageResults: StageResult[] = ordered.map(([, entry]) => ({
        info: entry.ended
          ? entry.info
          : { ...entry.info, status: interrupted ? "interrupted" : entry.info.status },
        metrics: entry.metrics.close(),
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
          ).close(),
        });
        for (const [id, metrics] of perStage) {
          adapterStageResults.push({
            adapter,
            info: infoById.get(id) ?? placeholderInfo(id),
            metrics: metrics.close(),
          });
        }
      }
      writer?.close();
      return {
        interrupted,
        summary: summary.close(),
        stages: stageResults,
        adapters,
        adapterStages: adapterStageResults,
        percentiles: metricsOptions.percentiles,
        perRequestPath: writer?.path ?? null,
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
