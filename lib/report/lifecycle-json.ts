// Renders a closed metrics bucket as inference-perf's lifecycle report object, key for key: the
// superset its v0.6 releases wrote (older `prompt_len` next to newer `prompt_tokens`, `output_tokens`,
// `token_count_mismatches`, `request_size_bytes`, `by_label`, `benchmark_time_seconds`), then our
// additive keys. Pure: returns an object; write.ts serialises it. Definitions: docs/metrics.md.
import type { StageInfo } from "../load/stage.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";

export type LifecycleReport = Record<string, unknown>;

export interface LifecycleOptions {
  /** Present for stage and adapter-stage reports: adds send_duration, requested_rate, achieved_rate. */
  stage?: StageInfo | undefined;
  interrupted?: boolean | undefined;
  /** Extra top-level keys (config fingerprint, sequence fingerprint, tool version ...), appended last. */
  extra?: Readonly<Record<string, unknown>> | undefined;
}

export function lifecycleReport(m: MetricsSnapshot, options: LifecycleOptions = {}): LifecycleReport {
  const benchmarkTime = m.count > 0 ? (m.lastEndMs - m.firstSentMs) / 1000 : 0;
  const perSecond = (n: number) => (benchmarkTime > 0 ? n / benchmarkTime : 0);
  const report: LifecycleReport = {
    load_summary: loadSummary(m, options.stage),
    successes: {
      count: m.successCount,
      latency: {
        request_latency: m.requestLatency,
        normalized_time_per_output_token: m.ntpot,
        time_per_output_token: m.tpot,
        time_to_first_token: m.ttft,
        inter_token_latency: m.itl,
      },
      throughput: {
        input_tokens_per_sec: perSecond(m.totalPromptTokens),
        output_tokens_per_sec: perSecond(m.totalOutputTokens),
        total_tokens_per_sec: perSecond(m.totalPromptTokens + m.totalOutputTokens),
        requests_per_sec: perSecond(m.successCount),
      },
      prompt_len: m.promptTokens,
      output_len: m.outputLen,
      prompt_tokens: {
        total: m.totalPromptTokens,
        cached: m.totalCachedTokens,
        uncached: Math.max(m.totalPromptTokens - m.totalCachedTokens, 0),
        ...m.promptTokens,
      },
      output_tokens: { total: m.totalOutputTokens, ...m.outputTokens },
      token_count_mismatches: m.tokenCountMismatches,
      client_fallback_requests: { prompt: m.clientPromptCounts, output: m.clientOutputCounts },
      request_size_bytes: m.requestSizeBytes,
    },
    failures: {
      count: m.failureCount,
      request_latency: m.failureLatency,
      prompt_len: m.failurePromptTokens,
      prompt_tokens: {
        total: m.failureTotalPromptTokens,
        cached: m.failureTotalCachedTokens,
        uncached: Math.max(m.failureTotalPromptTokens - m.failureTotalCachedTokens, 0),
        ...m.failurePromptTokens,
      },
      by_label: Object.fromEntries(
        Object.entries(m.byLabel).map(([label, entry]) => [
          label,
          { count: entry.count, messages: entry.messages.map((message) => ({ message })) },
        ]),
      ),
      by_kind: m.byKind,
    },
    benchmark_time_seconds: benchmarkTime,
    // Additive keys (inferload): readers of either inference-perf shape ignore them.
    interrupted: options.interrupted ?? false,
    token_source: {
      prompt: source(m.clientPromptCounts, m.successCount),
      output: source(m.clientOutputCounts, m.successCount),
    },
    percentiles_exact: m.exact,
  };
  if (options.stage !== undefined) report.stage = stageKeys(options.stage);
  for (const [key, value] of Object.entries(options.extra ?? {})) report[key] = value;
  return report;
}

function loadSummary(m: MetricsSnapshot, stage: StageInfo | undefined): Record<string, unknown> {
  const summary: Record<string, unknown> = { count: m.count, schedule_delay: m.scheduleDelay };
  if (stage === undefined) return summary;
  // achieved_rate spreads the count over the send times (first to last send), as inference-perf does.
  const sendDuration = m.count > 0 ? (m.lastSentMs - m.firstSentMs) / 1000 : 0;
  summary.send_duration = sendDuration;
  // A concurrent stage has no rate; inference-perf rewrites it to rate = num_requests over 1 s.
  summary.requested_rate = stage.rate ?? stage.numRequests;
  summary.achieved_rate = sendDuration > 0 ? m.count / sendDuration : 0;
  if (stage.concurrency !== null) summary.concurrency = stage.concurrency;
  return summary;
}

/** "server" when every success used the server's usage, "client" when none did, else "mixed". */
function source(clientCounts: number, successes: number): "server" | "client" | "mixed" | null {
  if (successes === 0) return null;
  if (clientCounts === 0) return "server";
  return clientCounts === successes ? "client" : "mixed";
}

function stageKeys(info: StageInfo): Record<string, unknown> {
  return {
    id: info.id,
    kind: info.kind,
    type: info.type,
    status: info.status,
    rate: info.rate,
    duration_s: info.durationS,
    concurrency: info.concurrency,
    num_requests: info.numRequests,
    elapsed_s: Number.isFinite(info.endMs - info.startMs) ? (info.endMs - info.startMs) / 1000 : null,
  };
}
