// Test helper: a fixed, hand-checkable run (two stages, an adapter, failures) for report tests and
// the golden files in fixtures/reports/golden/.

import type { StageInfo } from "../load/stage.ts";
import { createCollector, type RunReport } from "../metrics/collector.ts";
import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";

export const fixedConfig = {
  report: {
    request_lifecycle: {
      summary: true,
      per_stage: true,
      per_request: false,
      per_adapter: true,
      per_adapter_stage: true,
      percentiles: [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9],
      max_error_messages: 100,
    },
  },
  storage: { local_storage: { path: "unused", report_file_prefix: null } },
};

export const fixedStages: StageInfo[] = [
  {
    id: 0,
    kind: "rate",
    type: "constant",
    rate: 5,
    durationS: 2,
    concurrency: null,
    numRequests: 10,
    startMs: 1_000_000,
    endMs: 1_002_500,
    status: "completed",
  },
  {
    id: 1,
    kind: "concurrent",
    type: "concurrent",
    rate: null,
    durationS: null,
    concurrency: 2,
    numRequests: 4,
    startMs: 1_003_000,
    endMs: 1_003_700,
    status: "completed",
  },
];

/**
 * Stage 0: 10 requests sent every 200 ms from t = 1,000,000 ms, each 1 ms late; request i streams 5 token
 * events 10 ms apart starting 20 + i ms after the send and ends 100 ms after the send. Request 9 is a 429.
 * Odd requests use adapter "lora-a". Request 0 opens the stage's connection (0.5 ms), the rest reuse
 * it; request 5 found it closed by the server and was re-sent on a new one (0.75 ms).
 * Stage 1: 4 unary requests, two at a time, 300 ms each, each on a new connection (0.25 ms) that the
 * server closes after its response (`Connection: close`).
 */
export function fixedRecords(): RequestRecord[] {
  const records: RequestRecord[] = [];
  for (let i = 0; i < 10; i++) {
    const sent = 1_000_000 + i * 200 + 1;
    const first = sent + 20 + i;
    records.push(
      record({
        stageId: 0,
        index: i,
        scheduledMs: sent - 1,
        sentMs: sent,
        headersMs: sent + 10,
        endMs: sent + 100,
        tokenEventMs: [first, first + 10, first + 20, first + 30, first + 40],
        promptTokens: 100 + i,
        cachedPromptTokens: i % 2 === 0 ? 16 : 0,
        clientOutputTokens: i === 3 ? 6 : 5,
        serverOutputTokens: 5,
        requestBytes: 400 + i,
        adapter: i % 2 === 1 ? "lora-a" : null,
        connection: i === 0 ? "new" : "reused",
        connectMs: i === 0 ? 0.5 : i === 5 ? 0.75 : Number.NaN,
        resent: i === 5,
        serverCloses: i === 5 ? 1 : 0,
        ...(i === 9
          ? {
              failure: "http_status",
              status: 429,
              errorMessage: "Too many requests",
              tokenEventMs: [],
              serverOutputTokens: -1,
            }
          : {}),
      } as Partial<RequestRecord>),
    );
  }
  for (let i = 0; i < 4; i++) {
    const sent = 1_003_000 + Math.floor(i / 2) * 300;
    records.push(
      record({
        stageId: 1,
        index: i,
        scheduledMs: 1_003_000,
        sentMs: sent,
        headersMs: sent + 299,
        endMs: sent + 300,
        streamed: false,
        tokenEventMs: [],
        promptTokens: 50,
        promptTokensSource: "client",
        clientOutputTokens: 20,
        serverOutputTokens: -1,
        requestBytes: 300,
        connection: "new",
        connectMs: 0.25,
        serverCloses: 1,
      }),
    );
  }
  return records;
}

export function fixedRun(): RunReport {
  const collector = createCollector({ config: fixedConfig });
  const records = fixedRecords();
  for (const info of fixedStages) {
    collector.stageStarted(info);
    for (const r of records) if (r.stageId === info.id) collector.add(r);
    collector.stageEnded(info);
  }
  return collector.finish({ interrupted: false });
}
