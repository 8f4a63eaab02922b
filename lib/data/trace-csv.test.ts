import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { UserError } from "../cli/errors.ts";
import { parseTokenCount, parseTraceTimestamp, readTrace, streamTraceRows } from "./trace-csv.ts";

const fixtures = join(import.meta.dir, "../../fixtures/traces");
const fixture = (name: string) => ({ file: join(fixtures, name), format: "AzurePublicDataset" });
const scratch = mkdtempSync(join(tmpdir(), "inferload-trace-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function errorOf(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

describe("readTrace()", () => {
  test("reads the sample trace: 40 rows, first offset 0, offsets from the timestamps, token counts row by row", async () => {
    const trace = await readTrace(fixture("sample.csv"));
    expect(trace.count).toBe(40);
    expect(trace.offsetsMs.length).toBe(40);
    // Rows 1, 2 and the last, straight from the file:
    //   2023-11-16 18:15:46.6805900,119,36  → 0 ms
    //   2023-11-16 18:15:46.7761240,314,36  → 95.534 ms
    //   2023-11-16 18:15:49.6078930,116,20  → 2927.303 ms
    expect(trace.offsetsMs[0]).toBe(0);
    expect(trace.offsetsMs[1]).toBe(95.534);
    expect(trace.offsetsMs[39]).toBe(2927.303);
    expect([trace.inputTokens[0], trace.outputTokens[0]]).toEqual([119, 36]);
    expect([trace.inputTokens[1], trace.outputTokens[1]]).toEqual([314, 36]);
    expect([trace.inputTokens[39], trace.outputTokens[39]]).toEqual([116, 20]);
  });

  test("matches every row of the sample trace against an independent line-by-line reading", async () => {
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(fixture("sample.csv").file, "utf8").trim().split("\n").slice(1);
    const trace = await readTrace(fixture("sample.csv"));
    // Whole ms from Date.parse, the sub-ms digits apart (adding 0.59 to 1.7e12 would round it).
    const whole = (ts: string) => Date.parse(`${ts.replace(" ", "T").slice(0, 23)}Z`);
    const rest = (ts: string) => Number(`0.${ts.slice(23)}`);
    const first = lines[0]!.split(",")[0]!;
    lines.forEach((line, i) => {
      const [ts, input, output] = line.split(",") as [string, string, string];
      // The fixture's timestamps have microsecond digits (the 7th is 0): ms from Date.parse + the rest.
      expect(trace.offsetsMs[i]).toBeCloseTo(whole(ts) - whole(first) + (rest(ts) - rest(first)), 9);
      expect(trace.inputTokens[i]).toBe(Number(input));
      expect(trace.outputTokens[i]).toBe(Number(output));
    });
  });

  test("reads a headerless trace with T/Z and offset timestamps, quotes, spaces and blank lines, keeping microseconds", async () => {
    const trace = await readTrace(fixture("no-header-iso.csv"));
    // 23:59:59.999750Z → 0; 00:00:00Z → 0.25 ms; .000250Z → 0.5 ms; 00:00:01.5Z → 1500.25 ms;
    // 01:00:02.5+01:00 = 00:00:02.5Z → 2500.25 ms (inference-perf would keep 6 digits and ignore the offset)
    expect([...trace.offsetsMs]).toEqual([0, 0.25, 0.5, 1500.25, 2500.25]);
    expect([...trace.inputTokens]).toEqual([100, 200, 300, 400, 500]);
    expect([...trace.outputTokens]).toEqual([10, 20, 30, 40, 50]);
  });

  test("maps columns by header name, in any order, ignoring extra columns", async () => {
    const file = join(scratch, "reordered.csv");
    writeFileSync(
      file,
      "GeneratedTokens,Extra,ContextTokens,TIMESTAMP\n7,x,70,2024-01-01 00:00:00\n8,y,80,2024-01-01 00:00:00.5\n",
    );
    const trace = await readTrace({ file, format: "AzurePublicDataset" });
    expect([...trace.offsetsMs]).toEqual([0, 500]);
    expect([...trace.inputTokens]).toEqual([70, 80]);
    expect([...trace.outputTokens]).toEqual([7, 8]);
  });

  test("streams a 20,000-row trace into columns", async () => {
    const file = join(scratch, "big.csv");
    const rows = ["TIMESTAMP,ContextTokens,GeneratedTokens"];
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 20_000; i++) rows.push(`${new Date(t0 + i * 3).toISOString()},${i % 1000},${i % 97}`);
    writeFileSync(file, `${rows.join("\n")}\n`);
    const trace = await readTrace({ file, format: "AzurePublicDataset" });
    expect(trace.count).toBe(20_000);
    expect(trace.offsetsMs[19_999]).toBe(19_999 * 3);
    expect(trace.inputTokens[12_345]).toBe(345);
    expect(trace.outputTokens[12_345]).toBe(12_345 % 97);
  });
});

describe("readTrace() errors", () => {
  test.each([
    ["missing.csv", 'Cannot read trace "<dir>/missing.csv": file not found'],
    [
      "broken-bad-row.csv",
      'Cannot read trace "<dir>/broken-bad-row.csv": line 4: expected a whole number of tokens >= 0 in column ContextTokens, got "many"',
    ],
    [
      "broken-unsorted.csv",
      'Cannot read trace "<dir>/broken-unsorted.csv": line 4: timestamps must not decrease, got "2023-11-16 18:15:47.5000000" after "2023-11-16 18:15:47.7761240" (sort the trace by TIMESTAMP)',
    ],
    ["broken-empty.csv", 'Cannot read trace "<dir>/broken-empty.csv": the trace has no data rows'],
    [
      "broken-header.csv",
      'Cannot read trace "<dir>/broken-header.csv": line 1: expected the header "TIMESTAMP,ContextTokens,GeneratedTokens" or a data row, got "time,prompt_tokens,completion_tokens"',
    ],
    [
      "broken-timestamp.csv",
      'Cannot read trace "<dir>/broken-timestamp.csv": line 3: expected a timestamp like "2023-11-16 18:15:46.6805900", got "16/11/2023 18:15:47"',
    ],
  ])("%p gives a UserError naming the problem", async (name, message) => {
    const error = await errorOf(readTrace(fixture(name)));
    expect(error.message).toBe(message.replace("<dir>", fixtures));
  });

  test("an unknown format is refused before the file is opened", async () => {
    const error = await errorOf(readTrace({ file: join(fixtures, "sample.csv"), format: "ShareGPT" }));
    expect(error.message).toEndWith('unknown format "ShareGPT" (supported: AzurePublicDataset)');
  });

  test("a directory is not a trace", async () => {
    const error = await errorOf(readTrace({ file: fixtures, format: "AzurePublicDataset" }));
    expect(error.message).toEndWith(": not a file");
  });

  test("a row with a missing column names the column and the line", async () => {
    const file = join(scratch, "short.csv");
    writeFileSync(file, "2024-01-01 00:00:00,1,2\n2024-01-01 00:00:01,3\n");
    const error = await errorOf(readTrace({ file, format: "AzurePublicDataset" }));
    expect(error.message).toEndWith(
      ": line 2: expected a whole number of tokens >= 0 in column GeneratedTokens, got nothing",
    );
  });

  test("a malformed CSV quote is reported, not thrown as a crash", async () => {
    const file = join(scratch, "quote.csv");
    writeFileSync(file, '2024-01-01 00:00:00,1,2\n"2024-01-01 00:00:01,3,4\n');
    const error = await errorOf(readTrace({ file, format: "AzurePublicDataset" }));
    expect(error.message).toStartWith(`Cannot read trace "${file}": `);
  });

  test("streamTraceRows() stops at the bad row after yielding the good ones", async () => {
    const seen: number[] = [];
    const error = await errorOf(
      (async () => {
        for await (const row of streamTraceRows(fixture("broken-bad-row.csv"))) seen.push(row.line);
      })(),
    );
    expect(seen).toEqual([2, 3]);
    expect(error.message).toContain("line 4");
  });
});

describe("parseTraceTimestamp()", () => {
  test.each([
    ["2023-11-16 18:15:46.6805900", Date.UTC(2023, 10, 16, 18, 15, 46, 680), 0.59],
    ["2023-11-16T18:15:46Z", Date.UTC(2023, 10, 16, 18, 15, 46), 0],
    ['"2023-11-16 18:15:46.5"', Date.UTC(2023, 10, 16, 18, 15, 46, 500), 0],
    ["2023-11-16 18:15:46.123456789", Date.UTC(2023, 10, 16, 18, 15, 46, 123), 0.456789],
    ["2023-11-16 20:15:46-02:00", Date.UTC(2023, 10, 16, 22, 15, 46), 0],
    ["2023-11-16 20:15:46+0130", Date.UTC(2023, 10, 16, 18, 45, 46), 0],
  ])("%p → whole ms and sub-ms rest", (text, wholeMs, fractionMs) => {
    const parsed = parseTraceTimestamp(text);
    expect(parsed?.wholeMs).toBe(wholeMs);
    expect(parsed?.fractionMs).toBeCloseTo(fractionMs, 12);
  });

  test.each([
    "",
    "2023-11-16",
    "2023-13-01 00:00:00",
    "2023-02-30 00:00:00",
    "2023-11-16 24:00:00",
    "1700000000",
    "yesterday",
  ])("%p is not a timestamp", (text) => {
    expect(parseTraceTimestamp(text)).toBeNull();
  });

  test("offsets between any two millisecond timestamps are exact (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }),
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (a, gap) => {
          const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
          const pa = parseTraceTimestamp(iso(a))!;
          const pb = parseTraceTimestamp(iso(a + gap))!;
          return pb.wholeMs - pa.wholeMs + (pb.fractionMs - pa.fractionMs) === gap;
        },
      ),
    );
  });
});

describe("parseTokenCount()", () => {
  test.each([
    ["0", 0],
    ["4096", 4096],
    ["2147483647", 2147483647],
    ["2147483648", null],
    ["-1", null],
    ["1.5", null],
    ["", null],
    [undefined, null],
  ])("%p → %p", (text, expected) => {
    expect(parseTokenCount(text)).toBe(expected);
  });
});
