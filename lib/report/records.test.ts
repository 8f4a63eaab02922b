import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { record } from "../record/record.testing.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { createRecordWriter, parseRecordLine, RecordsFileError, readRecords, recordLine } from "./records.ts";

const dir = tempDirForTests("inferload-records-");

test("records written to JSONL read back equal, stage lines included, NaN times kept", async () => {
  const path = join(dir, "r.jsonl");
  const writer = createRecordWriter(path);
  const records = Array.from({ length: 3000 }, (_, i) =>
    record({
      index: i,
      headersMs: i === 7 ? Number.NaN : 1010,
      connection: i % 2 === 0 ? "new" : "reused",
      connectMs: i % 2 === 0 ? 0.31 : Number.NaN,
      resent: i === 9,
      serverCloses: i % 3,
    }),
  );
  for (const r of records) writer.write(r);
  writer.writeStage({
    id: 0,
    kind: "rate",
    type: "poisson",
    rate: 2,
    durationS: 5,
    concurrency: null,
    numRequests: 10,
    startMs: 1,
    endMs: 2,
    status: "completed",
  });
  writer.close();
  const back: unknown[] = [];
  let stages = 0;
  for await (const line of readRecords(path)) {
    if ("record" in line) back.push(line.record);
    else stages++;
  }
  expect(stages).toBe(1);
  expect(back).toEqual(records);
});

async function readAll(path: string, options: Parameters<typeof readRecords>[1] = {}) {
  const lines = [];
  for await (const line of readRecords(path, options)) lines.push(line);
  return lines;
}

function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const line = (index: number) => `${recordLine(record({ index }))}\n`;

test("a run line reads back as the run's interrupted flag and report keys", async () => {
  const path = join(dir, "run.jsonl");
  const writer = createRecordWriter(path);
  writer.write(record({ index: 0 }));
  writer.writeRun({ interrupted: true, extra: { base_seed: 7, sweep: { type: "linear" } } });
  writer.close();
  expect((await readAll(path)).at(-1)).toEqual({
    run: { interrupted: true, extra: { base_seed: 7, sweep: { type: "linear" } } },
  });
});

test("a last line cut short by a crash is dropped and reported by its number, the lines before it kept", async () => {
  const path = fileWith("cut.jsonl", `${line(0)}${line(1)}\n${line(2).slice(0, 40)}`);
  const cut: number[] = [];
  const lines = await readAll(path, { onCutShort: (n) => cut.push(n) });
  expect(lines).toHaveLength(2);
  expect(cut).toEqual([4]); // line 3 is blank
});

test("a complete last line without a newline is read", async () => {
  const path = fileWith("no-newline.jsonl", `${line(0)}${line(1).trimEnd()}`);
  const cut: number[] = [];
  expect(await readAll(path, { onCutShort: (n) => cut.push(n) })).toHaveLength(2);
  expect(cut).toEqual([]);
});

test.each([
  ["text that is not JSON", "{oops\n", /line 2: not valid JSON/],
  ["JSON that is no record, stage or run line", '{"hello":1}\n', /line 2: expected a request record/],
  ["a JSON array", "[1,2]\n", /line 2: expected a JSON object, got an array/],
])("a bad line before the last one (%s) is an error naming the line", async (_name, bad, message) => {
  const path = fileWith("bad.jsonl", `${line(0)}${bad}${line(1)}`);
  const error = await readAll(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordsFileError);
  expect((error as RecordsFileError).line).toBe(2);
  expect((error as Error).message).toMatch(message);
});

test("a missing file is a RecordsFileError saying so", async () => {
  const error = await readAll(join(dir, "absent.jsonl")).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordsFileError);
  expect((error as Error).message).toBe(`Cannot read records "${join(dir, "absent.jsonl")}": file not found`);
});

test("a record line written before the connection fields existed reads back with neutral values", () => {
  const { connection, connectMs, resent, serverCloses, ...old } = record();
  const line = parseRecordLine(JSON.stringify(old));
  expect("record" in line && line.record).toMatchObject({
    connection: "none",
    resent: false,
    serverCloses: 0,
  });
  expect("record" in line && Number.isNaN(line.record.connectMs)).toBe(true);
});
