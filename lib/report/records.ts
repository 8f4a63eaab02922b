// The per-request record file: one JSON object per line (JSONL), appended as requests complete so a
// crash keeps everything up to the last flush. Lines are either a RequestRecord or `{"stage": StageInfo}`
// written when a stage ends; `readRecords` gives both back to rebuild reports without a server.
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { StageInfo } from "../load/stage.ts";
import type { RequestRecord } from "../record/record.ts";

export interface RecordWriter {
  readonly path: string;
  write(record: RequestRecord): void;
  writeStage(info: StageInfo): void;
  /** Writes buffered lines to the file (synchronously: it runs on the main thread, off the hot path). */
  flush(): void;
  close(): void;
}

/** Buffered lines are written once they pass this size (about 30 records), and at every flush(). */
const flushBytes = 16 * 1024;

export function createRecordWriter(path: string): RecordWriter {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  let buffer: string[] = [];
  let size = 0;
  let closed = false;
  function push(line: string): void {
    if (closed) return;
    buffer.push(line);
    size += line.length;
    if (size >= flushBytes) flush();
  }
  function flush(): void {
    if (buffer.length === 0 || closed) return;
    writeSync(fd, buffer.join(""));
    buffer = [];
    size = 0;
  }
  return {
    path,
    write: (record) => push(`${recordLine(record)}\n`),
    writeStage: (info) => push(`${JSON.stringify({ stage: info })}\n`),
    flush,
    close() {
      flush();
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/** One record as a JSON line; NaN times (no headers) become null, as JSON has no NaN. */
export function recordLine(record: RequestRecord): string {
  return JSON.stringify(record, (_key, value) =>
    typeof value === "number" && !Number.isFinite(value) ? null : value,
  );
}

export type RecordLine = { record: RequestRecord } | { stage: StageInfo };

/** Parses one line of a record file; throws SyntaxError on a malformed line. */
export function parseRecordLine(line: string): RecordLine {
  const value = JSON.parse(line) as Record<string, unknown>;
  if (value.stage !== undefined && typeof value.stage === "object")
    return { stage: value.stage as StageInfo };
  const record = value as unknown as RequestRecord;
  if (record.headersMs === null) (record as { headersMs: number }).headersMs = Number.NaN;
  return { record };
}

/** Streams a record file line by line (bounded memory), skipping blank lines. */
export async function* readRecords(path: string): AsyncGenerator<RecordLine> {
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    yield parseRecordLine(line);
  }
}
