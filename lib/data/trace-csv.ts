// Streaming reader for AzurePublicDataset request traces (`TIMESTAMP, ContextTokens, GeneratedTokens`),
// used by load.trace (send times) and data.trace (token counts). It never holds the file's text: rows
// are parsed one at a time by csv-parse and kept as three numbers each. csv-parse's web-stream entry,
// not its node:stream one: the compiled binary loads every statically imported node: module at each
// thread's start, and node:stream costs ~5 ms more than node:stream/web (docs/PERFORMANCE.md "Start-up").
import { Buffer } from "node:buffer";
import { type FileHandle, open, stat } from "node:fs/promises";
import { CsvError, parse } from "csv-parse/stream";
import { UserError } from "../cli/errors.ts";

export const traceFormats = ["AzurePublicDataset"] as const;
export type TraceFormat = (typeof traceFormats)[number];

export interface TraceSource {
  readonly file: string;
  readonly format: string;
}

/** One data row. `offsetMs` is relative to the first data row (which is 0). */
export interface TraceRow {
  /** 1-based line number in the file, for messages. */
  readonly line: number;
  readonly offsetMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A whole trace as columns: 16 bytes per row, whatever the file's size. */
export interface Trace {
  readonly file: string;
  readonly count: number;
  /** Send offsets in ms from the first row, non-decreasing, offsetsMs[0] = 0. */
  readonly offsetsMs: Float64Array;
  readonly inputTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

const columnNames = ["timestamp", "contexttokens", "generatedtokens"] as const;

/**
 * Yield the rows of a trace file in order. Throws UserError for a missing file, an unknown format,
 * a bad row (with its line number), a timestamp earlier than the previous row's, or no data rows.
 */
export async function* streamTraceRows(source: TraceSource): AsyncGenerator<TraceRow> {
  const fail = (reason: string) => new UserError(`Cannot read trace "${source.file}": ${reason}`);
  if (!(traceFormats as readonly string[]).includes(source.format)) {
    throw fail(`unknown format "${source.format}" (supported: ${traceFormats.join(", ")})`);
  }
  await assertReadableFile(source.file, fail);

  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
  });
  const rowsOf = fileChunks(await open(source.file, "r")).pipeThrough(parser);

  let columns: readonly [number, number, number] | null = null;
  let first: ParsedTimestamp | null = null;
  let previous = -Infinity;
  let previousText = "";
  let rows = 0;
  try {
    for await (const item of rowsOf as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines;
      if (columns === null) {
        columns = headerColumns(record);
        if (columns !== null) continue;
        if (parseTraceTimestamp(record[0] ?? "") === null) {
          throw fail(
            `line ${line}: expected the header "TIMESTAMP,ContextTokens,GeneratedTokens" or a data row, got "${record.join(",")}"`,
          );
        }
        columns = [0, 1, 2];
      }
      const [ti, ii, oi] = columns;
      const timestampText = record[ti] ?? "";
      const timestamp = parseTraceTimestamp(timestampText);
      if (timestamp === null) {
        throw fail(
          `line ${line}: expected a timestamp like "2023-11-16 18:15:46.6805900", got "${timestampText}"`,
        );
      }
      const inputTokens = parseTokenCount(record[ii]);
      if (inputTokens === null) throw fail(badCount(line, "ContextTokens", record[ii]));
      const outputTokens = parseTokenCount(record[oi]);
      if (outputTokens === null) throw fail(badCount(line, "GeneratedTokens", record[oi]));
      first ??= timestamp;
      // Whole milliseconds and the sub-millisecond rest are subtracted separately, so offsets keep
      // every digit the file gives (epoch ms near 1.7e12 would otherwise round away sub-µs parts).
      const offsetMs = timestamp.wholeMs - first.wholeMs + (timestamp.fractionMs - first.fractionMs);
      if (offsetMs < previous) {
        throw fail(
          `line ${line}: timestamps must not decrease, got "${timestampText}" after "${previousText}" (sort the trace by TIMESTAMP)`,
        );
      }
      previous = offsetMs;
      previousText = timestampText;
      rows++;
      yield { line, offsetMs, inputTokens, outputTokens };
    }
  } catch (error) {
    if (error instanceof CsvError) throw fail(error.message);
    if (
      error instanceof Error &&
      "code" in error &&
      typeof error.code === "string" &&
      !(error instanceof UserError)
    ) {
      throw fail(error.message);
    }
    throw error;
  }
  if (rows === 0) throw fail("the trace has no data rows");
}

/**
 * The file's bytes as a web stream of Buffers (csv-parse reads them as Buffers), 64 KiB at a time; the
 * file is closed at its end, on an error, or when the reader stops early.
 */
function fileChunks(handle: FileHandle): ReadableStream<Buffer> {
  return new ReadableStream<Buffer>({
    async pull(controller) {
      try {
        // A fresh buffer per read: the parser may keep the previous chunk's tail.
        const chunk = Buffer.allocUnsafe(64 * 1024);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead > 0) controller.enqueue(chunk.subarray(0, bytesRead));
        else {
          await handle.close();
          controller.close();
        }
      } catch (error) {
        await handle.close().catch(() => {});
        controller.error(error);
      }
    },
    cancel: () => handle.close(),
  });
}

/** Read a whole trace into columns (grown by doubling; the text itself is never held). */
export async function readTrace(source: TraceSource): Promise<Trace> {
  let capacity = 1024;
  let offsetsMs = new Float64Array(capacity);
  let inputTokens = new Int32Array(capacity);
  let outputTokens = new Int32Array(capacity);
  let count = 0;
  for await (const row of streamTraceRows(source)) {
    if (count === capacity) {
      capacity *= 2;
      offsetsMs = grow(offsetsMs, new Float64Array(capacity));
      inputTokens = grow(inputTokens, new Int32Array(capacity));
      outputTokens = grow(outputTokens, new Int32Array(capacity));
    }
    offsetsMs[count] = row.offsetMs;
    inputTokens[count] = row.inputTokens;
    outputTokens[count] = row.outputTokens;
    count++;
  }
  return {
    file: source.file,
    count,
    offsetsMs: offsetsMs.slice(0, count),
    inputTokens: inputTokens.slice(0, count),
    outputTokens: outputTokens.slice(0, count),
  };
}

export interface ParsedTimestamp {
  /** Whole milliseconds since the Unix epoch (UTC). */
  readonly wholeMs: number;
  /** The rest, in [0, 1) ms, from any further fractional digits. */
  readonly fractionMs: number;
}

const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parse an AzurePublicDataset timestamp: `YYYY-MM-DD HH:MM:SS[.fraction]`, a `T` instead of the space
 * and a trailing `Z` allowed, read as UTC, as inference-perf does. Two differences, both deliberate:
 * every fractional digit is kept (inference-perf keeps 6, older versions 2), and a `±HH:MM` offset
 * is applied instead of silently dropped. Returns null for anything else. Pure.
 */
export function parseTraceTimestamp(text: string): ParsedTimestamp | null {
  const match = timestampPattern.exec(text.trim().replace(/^"|"$/g, ""));
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, fraction = "", zone = "Z"] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  let wholeMs = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wholeMs).getUTCDate() !== day) return null; // 2023-02-30 and friends
  wholeMs += Number(fraction.slice(0, 3).padEnd(3, "0"));
  const fractionMs = fraction.length > 3 ? Number(`0.${fraction.slice(3)}`) : 0;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    wholeMs -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return { wholeMs, fractionMs };
}

/** A token count: a plain non-negative integer that fits an Int32Array. Pure. */
export function parseTokenCount(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value <= 2_147_483_647 ? value : null;
}

function headerColumns(record: readonly string[]): readonly [number, number, number] | null {
  const names = record.map((cell) => cell.toLowerCase());
  const indices = columnNames.map((name) => names.indexOf(name));
  if (indices.some((i) => i < 0)) return null;
  return indices as unknown as readonly [number, number, number];
}

function badCount(line: number, column: string, got: string | undefined): string {
  const shown = got === undefined ? "nothing" : `"${got}"`;
  return `line ${line}: expected a whole number of tokens >= 0 in column ${column}, got ${shown}`;
}

async function assertReadableFile(file: string, fail: (reason: string) => UserError): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw fail("not a file");
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    throw fail(code === "ENOENT" ? "file not found" : error instanceof Error ? error.message : String(error));
  }
}

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
