// One request record as an entry of inference-perf's `per_request_lifecycle_metrics.json`
// (`{start_time, end_time, request, response, info, error}`) plus our keys. Times in seconds on the
// run's clock (epoch-based: performance.timeOrigin + performance.now()). Pure.
import { requestLatency } from "../metrics/latency.ts";
import type { RequestSlos } from "../metrics/request-slos.ts";
import { retryWastedS } from "../metrics/retries.ts";
import { errorTypes, outputTokens, type RequestRecord } from "../record/record.ts";

/**
 * `slos`: the run's per-request SLO targets (api.headers); inference-perf sets `ttft_slo_sec` and
 * `tpot_slo_sec` on streamed requests with token times only. `sessionId`: the name of the request's
 * session (inference-perf writes it after end_time), or null.
 */
export function perRequestEntry(
  record: RequestRecord,
  slos?: Pick<RequestSlos, "ttftS" | "tpotS">,
  sessionId: string | null = null,
  /** A replayed call's attribute_to_label_map labels (inference-perf's `info.labels`), or null. */
  labels: Readonly<Record<string, string>> | null = null,
): Record<string, unknown> {
  const s = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : null);
  const output = outputTokens(record);
  const entry: Record<string, unknown> = {
    start_time: s(record.sentMs),
    end_time: s(record.endMs),
    ...(sessionId === null ? {} : { session_id: sessionId }),
    // We keep no request or response bodies (memory and disk stay bounded); the keys stay for readers.
    request: null,
    response: null,
    info: {
      input_tokens: record.promptTokens,
      input_tokens_source: record.promptTokensSource,
      cached_tokens: record.cachedPromptTokens,
      output_tokens: output,
      client_output_tokens: record.clientOutputTokens,
      server_output_tokens: record.serverOutputTokens,
      output_token_times: record.tokenEventMs.map((ms) => ms / 1000),
      status: record.status,
      adapter: record.adapter,
      request_size_bytes: record.requestBytes,
      streamed: record.streamed,
      // inference-perf's InferenceInfo keys (load.request_retries): extra sends, whether they paid off,
      // and the time they cost (null when the request was sent once; retries.ts defines it).
      retries_attempted: record.attempts - 1,
      retries_recovered: record.attempts > 1 && record.failure === null,
      retry_wasted_sec: record.attempts > 1 ? retryWastedS(record) : null,
    },
  };
  if (record.outputJson !== undefined)
    (entry.info as Record<string, unknown>).output_json = record.outputJson;
  if (labels !== null) (entry.info as Record<string, unknown>).labels = { ...labels };
  if (record.failure === null) {
    const latency = requestLatency(record);
    entry.computed_metrics = {
      request_latency: latency.requestLatency,
      normalized_time_per_output_token: latency.ntpot,
      time_to_first_token: latency.ttft,
      time_per_output_token: latency.tpot,
      inter_token_latency: latency.meanItl,
      input_tokens: record.promptTokens,
      output_tokens: output,
    };
  }
  entry.error =
    record.failure === null
      ? null
      : {
          error_type:
            record.failure === "http_status" ? `HTTP Error ${record.status}` : errorTypes[record.failure],
          error_msg: record.errorMessage,
          kind: record.failure,
        };
  if (slos !== undefined && record.streamed && record.tokenEventMs.length > 0) {
    if (slos.ttftS !== null) entry.ttft_slo_sec = slos.ttftS;
    if (slos.tpotS !== null) entry.tpot_slo_sec = slos.tpotS;
  }
  entry.stage_id = record.stageId;
  entry.scheduled_time = s(record.scheduledMs);
  entry.headers_time = s(record.headersMs);
  entry.worker_id = record.workerId;
  entry.index = record.index;
  entry.connection = record.connection;
  entry.connect_time = s(record.connectMs);
  entry.resent = record.resent;
  return entry;
}
