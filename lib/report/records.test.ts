import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { record } from "../record/record.testing.ts";
import { createRecordWriter, readRecords } from "./records.ts";

const dir = mkdtempSync(join(tmpdir(), "inferload-records-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("records written to JSONL read back equal, stage lines included, NaN times kept", async () => {
  const path = join(dir, "r.jsonl");
  const writer = createRecordWriter(path);
  const records = Array.from({ length: 3000 }, (_, i) =>
    record({ index: i, headersMs: i === 7 ? Number.NaN : 1010 }),
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
