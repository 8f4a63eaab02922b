// rebuildReports() against a recorded run (fixtures/reports/rebuild/: the records file and config.yaml
// an `inferload run` wrote, and the report files it wrote beside them, in expected/), and against
// that file damaged the ways a crash or a hand edit damages it.
import { expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { loadConfig } from "../config/load.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { rebuildReports } from "./rebuild.ts";
import { RecordsFileError } from "./records.ts";

const fixture = join(import.meta.dirname, "..", "..", "fixtures", "reports", "rebuild");
const recordsPath = join(fixture, "per_request_records.jsonl");
const expectedDir = join(fixture, "expected");
const root = tempDirForTests("inferload-rebuild-");
let n = 0;
const freshDir = () => join(root, `out-${n++}`);

const { config } = await loadConfig({
  path: join(fixture, "config.yaml"),
  cpuCount: 2,
  now: new Date(0),
});
const fixtureLines = readFileSync(recordsPath, "utf8").split("\n").slice(0, -1);

/** A copy of the fixture's records with its lines changed, in a directory of its own. */
function damaged(edit: (lines: string[]) => string): string {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "per_request_records.jsonl");
  writeFileSync(path, edit([...fixtureLines]));
  return path;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

test("the recorded run's report files are rebuilt byte for byte (UPDATE_GOLDEN=1 rewrites expected/)", async () => {
  const dir = freshDir();
  const warnings: string[] = [];
  const result = await rebuildReports(recordsPath, config, { dir, warn: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect(result.records).toBe(14);
  const rebuilt = result.files.map((path) => basename(path)).sort();
  if (process.env.UPDATE_GOLDEN === "1") {
    for (const name of rebuilt) writeFileSync(join(expectedDir, name), readFileSync(join(dir, name)));
  }
  expect(rebuilt).toEqual(readdirSync(expectedDir).sort());
  for (const name of rebuilt) {
    expect(`${name}: ${readFileSync(join(dir, name), "utf8")}`).toBe(
      `${name}: ${readFileSync(join(expectedDir, name), "utf8")}`,
    );
  }
});

test("a file cut short by a crash is read up to its last complete line, with a warning naming the line", async () => {
  // Keep stage 0 and its stage line, then cut stage 1's third record in half.
  const stageLine = fixtureLines.findIndex((line) => line.startsWith('{"stage"'));
  const cutAt = stageLine + 4;
  const path = damaged((lines) => {
    const kept = lines.slice(0, cutAt);
    return `${kept.join("\n")}\n${lines[cutAt]!.slice(0, 60)}`;
  });
  const warnings: string[] = [];
  const result = await rebuildReports(path, config, { dir: freshDir(), warn: (m) => warnings.push(m) });
  expect(warnings[0]).toContain(`incomplete line ${cutAt + 1} `);
  expect(result.records).toBe(cutAt - 1);
  // Stage 1 never ended: the run did not finish, and the reports say so.
  expect(result.report.interrupted).toBe(true);
  expect(result.report.stages.map((stage) => stage.info.status)).toEqual(["completed", "interrupted"]);
  expect(result.report.summary.count).toBe(cutAt - 1);
});

test("a malformed line in the middle is an error naming the line", async () => {
  const path = damaged((lines) => {
    lines[4] = lines[4]!.slice(0, 30);
    return `${lines.join("\n")}\n`;
  });
  const error = await rebuildReports(path, config, { dir: freshDir() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordsFileError);
  expect((error as RecordsFileError).line).toBe(5);
});

test("a file from before run lines existed still rebuilds the same numbers, without the run's keys, and says so", async () => {
  const path = damaged((lines) => `${lines.filter((line) => !line.startsWith('{"run"')).join("\n")}\n`);
  const dir = freshDir();
  const warnings: string[] = [];
  await rebuildReports(path, config, { dir, warn: (m) => warnings.push(m) });
  expect(warnings).toHaveLength(1);
  const expected = readJson(join(expectedDir, "summary_lifecycle_metrics.json"));
  for (const key of ["sequence_fingerprint", "base_seed", "config_fingerprint"]) delete expected[key];
  expect(readJson(join(dir, "summary_lifecycle_metrics.json"))).toEqual(expected);
});

test("a file without request records is refused", async () => {
  const path = damaged((lines) => `${lines.filter((line) => line.startsWith('{"run"')).join("\n")}\n`);
  const error = await rebuildReports(path, config, { dir: freshDir() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordsFileError);
  expect((error as Error).message).toContain("holds no request records");
});
