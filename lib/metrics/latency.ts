// Per-request latency metrics from one record's times, in seconds. Pure.
//
// Definitions (docs/metrics.md has the comparison with inference-perf):
//   request_latency  = end − send
//   TTFT             = first token-bearing event − send                     (streamed, ≥ 1 event)
//   TPOT             = (last token event − first token event) / (N − 1)       (streamed, N > 1)
//   NTPOT            = request_latency / N, 0 when N = 0
//   ITL samples      = gaps between consecutive token-bearing events        (streamed, ≥ 2 events)
// where N is the output token count (the server's usage.completion_tokens when present, else the
// client's tokenizer count). TPOT spans first to last token as inference-perf computes it, so the
// usage chunk and "[DONE]" that follow the last token do not count as decode time.
import { outputTokens, type RequestRecord } from "../record/record.ts";

export interface RequestLatency {
  requestLatency: number;
  ttft: number | null;
  tpot: number | null;
  ntpot: number;
  /** Mean of this request's ITL gaps, null with fewer than two token events. */
  meanItl: number | null;
}

export function requestLatency(record: RequestRecord): RequestLatency {
  const latencyS = (record.endMs - record.sentMs) / 1000;
  const n = outputTokens(record);
  const events = record.streamed ? record.tokenEventMs : [];
  const first = events[0];
  const last = events[events.length - 1];
  const ttft = first === undefined ? null : (first - record.sentMs) / 1000;
  const tpot =
    first !== undefined && last !== undefined && n > 1 && events.length > 1
      ? (last - first) / 1000 / (n - 1)
      : null;
  const meanItl =
    first !== undefined && last !== undefined && events.length > 1
      ? (last - first) / 1000 / (events.length - 1)
      : null;
  return { requestLatency: latencyS, ttft, tpot, ntpot: n > 0 ? latencyS / n : 0, meanItl };
}

/** Calls `fn` with every inter-token gap in seconds, in order, without allocating. */
export function forEachItlGap(record: RequestRecord, fn: (gapS: number) => void): void {
  if (!record.streamed) return;
  const events = record.tokenEventMs;
  for (let i = 1; i < events.length; i++) fn(((events[i] as number) - (events[i - 1] as number)) / 1000);
}
