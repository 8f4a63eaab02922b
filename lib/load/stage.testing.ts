// Test helper: a stage's description as the reports and collectors read it.
import type { StageInfo } from "./stage.ts";

/** A completed constant-rate stage, 1 req/s for 1 s from 0 to 1000 ms, with any field overridden. */
export function stageInfo(id: number, overrides: Partial<StageInfo> = {}): StageInfo {
  return {
    id,
    kind: "rate",
    type: "constant",
    rate: 1,
    durationS: 1,
    concurrency: null,
    numRequests: 1,
    startMs: 0,
    endMs: 1000,
    status: "completed",
    ...overrides,
  };
}
