// The per-request record file: one JSON object per line (JSONL), appended as requests complete so a
// crash keeps everything up to the last flush. A line is a RequestRecord (the whole object, so fields
// added to it flow through), `{"stage": StageInfo}` written when a stage ends, or one final
// `{"run": RunLine}` with what the reports add (interrupted, fingerprints). `readRecords` gives them
// back to rebuild every report without a server (`inferload report`).
import { Buffer } from "node:buffer";
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { StageInfo } from "../load/stage.ts";
import type { SessionStageInfo } from "../metrics/session-metrics.ts";
import type { RequestRecord } from "../record/record.ts";
import type { SessionLifecycle } from "../record/session.ts";

export interface RecordWriter {
  readonly path: string;
  write(record: RequestRecord): void;
  writeStage(info: StageInfo): void;
  /** The run's closing line: what a rebuild needs beyond the records and stages. */
  writeRun(run: RunLine): void;
  /** A session as it ended, and a stage's session facts: what rebuilding the session reports needs. */
  writeSession(session: SessionLifecycle): void;
  writeSessionStage(info: SessionStageInfo): void;
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
    // Whole lines only: a short write (a full disk, a signal) is continued, never left mid-line.
    const bytes = Buffer.from(buffer.join(""));
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    buffer = [];
    size = 0;
  }
  return {
    path,
    write: (record) => push(`${recordLine(record)}\n`),
    writeStage: (info) => push(`${JSON.stringify({ stage: info })}\n`),
    writeRun: (run) => push(`${JSON.stringify({ run })}\n`),
    writeSession: (session) => push(`${jsonLine({ session })}\n`),
    writeSessionStage: (sessionStage) => push(`${jsonLine({ sessionStage })}\n`),
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
  return jsonLine(record);
}

function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}

/** The last line of a finished run's record file. */
export interface RunLine {
  interrupted: boolean;
  /**
   * The run's keys in every lifecycle report (sequence_fingerprint, base_seed, config_fingerprint,
   * sweep). Plain JSON data: it goes through JSON.stringify and back, so a value marked pyFloat() or
   * a NaN here would not be rebuilt the same.
   */
  extra: Record<string, unknown>;
}

export type RecordLine =
  | { record: RequestRecord }
  | { stage: StageInfo }
  | { run: RunLine }
  | { session: SessionLifecycle }
  | { sessionStage: SessionStageInfo };

/** Number fields of a record that may be NaN, which JSON writes as null (recordLine) and reading restores. */
const nanFields = ["headersMs", "connectMs"] as const;

/** Values for record fields a file written before they existed lacks (connection use). */
const addedFields = {
  connection: "none",
  connectMs: Number.NaN,
  resent: false,
  serverCloses: 0,
  media: null,
  session: -1,
  attempts: 1,
} as const;

/** A records file that is not one: names the file and, for a bad line, its number (1-based). */
export class RecordsFileError extends Error {
  override readonly name = "RecordsFileError";
  constructor(
    readonly path: string,
    readonly line: number | null,
    reason: string,
  ) {
    super(`Cannot read records "${path}": ${line === null ? "" : `line ${line}: `}${reason}`);
  }
}

/**
 * Parses one line of a record file; throws SyntaxError on text that is not JSON and TypeError on JSON
 * that is none of the three kinds of line.
 */
export function parseRecordLine(line: string): RecordLine {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new TypeError(`expected a JSON object, got ${Array.isArray(value) ? "an array" : String(value)}`);
  const object = value as Record<string, unknown>;
  if (typeof object.stageId === "number") {
    for (const field of nanFields) if (object[field] === null) object[field] = Number.NaN;
    for (const [field, value] of Object.entries(addedFields)) if (!(field in object)) object[field] = value;
    // A file from before cacheReported: any cached tokens mean the server reported them.
    if (!("cacheReported" in object)) object.cacheReported = (object.cachedPromptTokens as number) > 0;
    // A file from before request retries: every request was sent once.
    if (!("lastAttemptMs" in object)) object.lastAttemptMs = object.sentMs;
    return { record: object as unknown as RequestRecord };
  }
  if (isObject(object.stage)) return { stage: object.stage as unknown as StageInfo };
  if (isObject(object.run)) return { run: object.run as unknown as RunLine };
  if (isObject(object.session)) {
    const session = object.session as Record<string, unknown>;
    for (const field of ["startMs", "endMs"]) if (session[field] === null) session[field] = Number.NaN;
    return { session: session as unknown as SessionLifecycle };
  }
  if (isObject(object.sessionStage))
    return { sessionStage: object.sessionStage as unknown as SessionStageInfo };
  throw new TypeError(
    `expected a request record (with "stageId"), a {"stage": …}, {"session": …}, {"sessionStage": …} or {"run": …} line, got keys ${JSON.stringify(Object.keys(object).slice(0, 5))}`,
  );
}

export interface ReadRecordsOptions {
  /**
   * Called when the last line cannot be parsed, as a crash can leave it cut short: reading ends at
   * the last complete line. A bad line anywhere else throws RecordsFileError.
   */
  onCutShort?: ((line: number, reason: string) => void) | undefined;
}

/**
 * Streams a record file line by line (bounded memory: one chunk and one line at a time), skipping
 * blank lines. Throws RecordsFileError for a missing file or a bad line before the last one.
 */
export async function* readRecords(
  path: string,
  options: ReadRecordsOptions = {},
): AsyncGenerator<RecordLine> {
  // A line that fails to parse is held until the next non-blank line shows it was not the last.
  let pending: { line: number; reason: string } | null = null;
  for await (const { text, line } of readLines(path)) {
    if (text.trim() === "") continue;
    if (pending !== null) throw new RecordsFileError(path, pending.line, pending.reason);
    let parsed: RecordLine;
    try {
      parsed = parseRecordLine(text);
    } catch (error) {
      pending = { line, reason: describeBadLine(error) };
      continue;
    }
    yield parsed;
  }
  if (pending !== null) options.onCutShort?.(pending.line, pending.reason);
}

/** The file's lines with their numbers; `\r\n` endings are accepted. */
async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 });
  let rest = "";
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      let end = chunk.indexOf("\n");
      while (end !== -1) {
        const text = rest + chunk.slice(start, end);
        rest = "";
        yield { text: text.endsWith("\r") ? text.slice(0, -1) : text, line: ++line };
        start = end + 1;
        end = chunk.indexOf("\n", start);
      }
      rest += chunk.slice(start);
    }
  } catch (error) {
    throw new RecordsFileError(path, null, describeReadError(error));
  }
  if (rest !== "") yield { text: rest, line: ++line };
}

function describeBadLine(error: unknown): string {
  if (error instanceof SyntaxError) return `not valid JSON (${error.message})`;
  if (error instanceof TypeError) return error.message;
  throw error;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "it is a directory, expected a JSONL file";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
