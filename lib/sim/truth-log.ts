// The simulator's own account of each request: server-side timestamps on the shared process clock
// (performance.timeOrigin + performance.now(), ms), one JSONL line per request, so tests can check how
// exactly a client measured TTFT and inter-token latency. Writing is buffered by the file stream.
import { createWriteStream } from "node:fs";
import type { ApiKind } from "./wire.ts";

export type TruthOutcome =
  | "ok"
  | "status_fault"
  | "cut"
  | "error_event"
  | "dropped"
  | "client_closed"
  | "bad_request";

export interface TruthRecord {
  id: string;
  kind: ApiKind;
  model: string;
  stream: boolean;
  status: number;
  outcome: TruthOutcome;
  /** Fault kind applied ("none" when none). */
  fault: string;
  promptTokens: number;
  /** Tokens the server wrote (for a cut stream: the tokens before the cut). */
  completionTokens: number;
  finishReason: string | null;
  receivedMs: number;
  /** When the engine gave it a slot (model time); NaN when it never got one. */
  admittedMs: number;
  /** Time spent waiting for a slot (model time): exactly 0 when a slot was free on arrival; NaN if none. */
  queueMs: number;
  /** When the status line and headers were handed to the socket. */
  headersMs: number;
  firstTokenMs: number;
  /** When each token's chunk was handed to the socket (streams) or was generated (non-streamed). */
  tokenMs: number[];
  finishedMs: number;
}

export type TruthSink = (record: TruthRecord) => void;

/** A sink appending JSONL to `path`; close() flushes. NaN times are written as null. */
export function createTruthLogFile(path: string): { sink: TruthSink; close(): Promise<void> } {
  const stream = createWriteStream(path, { flags: "a" });
  return {
    sink: (record) => {
      stream.write(`${JSON.stringify(record)}\n`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
}
