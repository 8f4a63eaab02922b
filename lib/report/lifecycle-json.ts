// Renders a closed metrics bucket as inference-perf's lifecycle report object. Key order: the keys of
// inference-perf's released files (fixtures/inference-perf-reports/) first and in their order, then
// the keys its newer versions added (`request_size_bytes`, `prompt_tokens`, `output_tokens`,
// `token_count_mismatches`, `client_fallback_requests`, `goodput_metrics`, `failures.prompt_tokens`,
// `by_label`, `benchmark_time_seconds`, `retries`, and for media `*_per_sec` and the
// `image`/`video`/`audio` blocks) in their relative order, then our additive keys, so that a diff against
// an inference-perf file shows only added lines. Number types follow inference-perf's Python: counts
// are ints, everything measured or divided is a float (pyFloat), written by write.ts through
// pythonJson(). Pure. Definitions: docs/metrics.md.
import type { StageInfo } from "../load/stage.ts";
import type { GoodputSnapshot } from "../metrics/goodput.ts";
import type { RetrySnapshot } from "../metrics/retries.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import { type PyFloat, pyFloat, pyFloats } from "./py-json.ts";
import { transportKeys } from "./transport-keys.ts";

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
  const perSecond = (n: number) => pyFloat(benchmarkTime > 0 ? n / benchmarkTime : 0);
  const report: LifecycleReport = {
    load_summary: loadSummary(m, options.stage),
    successes: {
      count: m.successCount,
      latency: {
        request_latency: pyFloats(m.requestLatency),
        normalized_time_per_output_token: pyFloats(m.ntpot),
        time_per_output_token: pyFloats(m.tpot),
        time_to_first_token: pyFloats(m.ttft),
        inter_token_latency: pyFloats(m.itl),
      },
      throughput: {
        input_tokens_per_sec: perSecond(m.totalPromptTokens),
        output_tokens_per_sec: perSecond(m.totalOutputTokens),
        total_tokens_per_sec: perSecond(m.totalPromptTokens + m.totalOutputTokens),
        requests_per_sec: perSecond(m.successCount),
        // inference-perf's newer versions; we write them for runs whose requests carry media.
        ...(m.media === null
          ? {}
          : {
              images_per_sec: perSecond(m.media.totals.images),
              videos_per_sec: perSecond(m.media.totals.videos),
              audios_per_sec: perSecond(m.media.totals.audios),
            }),
      },
      prompt_len: pyFloats(m.promptTokens),
      output_len: pyFloats(m.outputLen),
      request_size_bytes: pyFloats(m.requestSizeBytes),
      ...mediaKeys(m),
      prompt_tokens: tokenTotals(m.totalPromptTokens, m.totalCachedTokens, m.promptTokens),
      output_tokens: { total: pyFloat(m.totalOutputTokens), ...pyFloats(m.outputTokens) },
      token_count_mismatches: m.tokenCountMismatches,
      client_fallback_requests: { prompt: m.clientPromptCounts, output: m.clientOutputCounts },
      // inference-perf appends it last to `successes`, and only with constraints and successes.
      ...(m.goodput !== null && m.goodput.total > 0 ? { goodput_metrics: goodputMetrics(m.goodput) } : {}),
    },
    failures: {
      count: m.failureCount,
      request_latency: pyFloats(m.failureLatency),
      prompt_len: pyFloats(m.failurePromptTokens),
      prompt_tokens: tokenTotals(
        m.failureTotalPromptTokens,
        m.failureTotalCachedTokens,
        m.failurePromptTokens,
      ),
      by_label: Object.fromEntries(
        Object.entries(m.byLabel).map(([label, entry]) => [
          label,
          { count: entry.count, messages: entry.messages.map((message) => ({ message })) },
        ]),
      ),
      by_kind: m.byKind,
    },
    benchmark_time_seconds: pyFloat(benchmarkTime),
    // inference-perf's newer versions write it after `failures`, and only when a request retried.
    ...(m.retries === null ? {} : { retries: retryKeys(m.retries) }),
    // Additive keys (inferload): readers of either inference-perf shape ignore them.
    interrupted: options.interrupted ?? false,
    token_source: {
      prompt: source(m.clientPromptCounts, m.successCount),
      output: source(m.clientOutputCounts, m.successCount),
    },
    percentiles_exact: m.exact,
  };
  // Connection statistics and same-read ITL gaps (transport-keys.ts), after inference-perf's keys.
  Object.assign(report, transportKeys(m));
  // Only in runs that asked for structured output (api.response_format), so other reports keep their keys.
  if (m.jsonChecked > 0) {
    report.structured_output = { checked: m.jsonChecked, invalid_json: m.jsonInvalid };
  }
  if (options.stage !== undefined) report.stage = stageKeys(options.stage);
  for (const [key, value] of Object.entries(options.extra ?? {})) report[key] = value;
  return report;
}

/** inference-perf's goodput_metrics: keys in its order, percentages and rates floats, counts ints. */
export function goodputMetrics(g: GoodputSnapshot): Record<string, number | PyFloat> {
  const out: Record<string, number | PyFloat> = {
    goodput_percentage: pyFloat((g.good / g.total) * 100),
    request_goodput: pyFloat(g.spanS > 0 ? g.good / g.spanS : 0),
    token_goodput: pyFloat(g.spanS > 0 ? g.goodTokens / g.spanS : 0),
    good_requests: g.good,
    total_requests: g.total,
  };
  for (const name of g.constrained) {
    out[`${name}_attainment_percentage`] = pyFloat(((g.attained[name] ?? 0) / g.total) * 100);
  }
  return out;
}

/** inference-perf's `retries` block (summarize_retries): counts ints, the wasted time floats. */
function retryKeys(r: RetrySnapshot): Record<string, unknown> {
  return {
    requests_retried: r.requestsRetried,
    attempts: r.attempts,
    recovered: r.recovered,
    failed_after_retry: r.failedAfterRetry,
    wasted_sec_total: pyFloat(r.wastedSecTotal),
    ...(r.wastedSec === null ? {} : { wasted_sec: pyFloats(r.wastedSec) }),
  };
}

/** inference-perf's `image`, `video` and `audio` blocks (after request_size_bytes, as it writes them). */
function mediaKeys(m: MetricsSnapshot): Record<string, unknown> {
  if (m.media === null) return {};
  const floats = (block: Record<string, MetricsSnapshot["promptTokens"]>) =>
    Object.fromEntries(Object.entries(block).map(([key, summary]) => [key, pyFloats(summary)]));
  return { image: floats(m.media.image), video: floats(m.media.video), audio: floats(m.media.audio) };
}

/** inference-perf sums token counts as floats (`total`, `cached`, `uncached`) before the distribution. */
function tokenTotals(
  total: number,
  cached: number,
  distribution: MetricsSnapshot["promptTokens"],
): Record<string, PyFloat> {
  return {
    total: pyFloat(total),
    cached: pyFloat(cached),
    uncached: pyFloat(Math.max(total - cached, 0)),
    ...pyFloats(distribution),
  };
}

function loadSummary(m: MetricsSnapshot, stage: StageInfo | undefined): Record<string, unknown> {
  const summary: Record<string, unknown> = { count: m.count, schedule_delay: pyFloats(m.scheduleDelay) };
  if (stage === undefined) return summary;
  // achieved_rate spreads the count over the send times (first to last send), as inference-perf does.
  const sendDuration = m.count > 0 ? (m.lastSentMs - m.firstSentMs) / 1000 : 0;
  summary.send_duration = pyFloat(sendDuration);
  // A concurrent stage has no rate; inference-perf rewrites it to rate = num_requests over 1 s. Its
  // stage rate is a pydantic float field, so a whole rate is written `5.0`.
  summary.requested_rate = pyFloat(stage.rate ?? stage.numRequests);
  summary.achieved_rate = pyFloat(sendDuration > 0 ? m.count / sendDuration : 0);
  if (stage.concurrency !== null) summary.concurrency = stage.concurrency;
  return summary;
}

/** "server" when every success used the server's usage, "client" when none did, else "mixed". */
function source(clientCounts: number, successes: number): "server" | "client" | "mixed" | null {
  if (successes === 0) return null;
  if (clientCounts === 0) return "server";
  return clientCounts === successes ? "client" : "mixed";
}

/** Ours: rates and durations are floats (like requested_rate), counts and ids ints. */
function stageKeys(info: StageInfo): Record<string, unknown> {
  const elapsed = info.endMs - info.startMs;
  return {
    id: info.id,
    kind: info.kind,
    type: info.type,
    status: info.status,
    rate: info.rate === null ? null : pyFloat(info.rate),
    duration_s: info.durationS === null ? null : pyFloat(info.durationS),
    concurrency: info.concurrency,
    num_requests: info.numRequests,
    elapsed_s: Number.isFinite(elapsed) ? pyFloat(elapsed / 1000) : null,
    ...(info.reason === undefined ? {} : { reason: info.reason }),
  };
}
