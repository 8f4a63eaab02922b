import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { claimReportDir, existingReports, type ReportDirRequest, reportDirProblems } from "./report-dir.ts";

const root = tempDirForTests("inferload-report-dir-");

let n = 0;
const fresh = () => join(root, `case-${++n}`);
const request = (dir: string, over: Partial<ReportDirRequest> = {}): ReportDirRequest => ({
  dir,
  explicit: true,
  overwrite: false,
  prefix: "",
  ...over,
});
// A folder nobody may write in, root included (sysfs refuses new files).
const unwritable = existsSync("/sys/kernel") ? "/sys/inferload-reports" : null;

function withReports(
  dir: string,
  names = ["summary_lifecycle_metrics.json", "stage_0_lifecycle_metrics.json"],
) {
  mkdirSync(dir, { recursive: true });
  for (const name of names) writeFileSync(join(dir, name), "{}");
  return dir;
}

describe("reportDirProblems() (validate: creates nothing)", () => {
  test.each([
    ["a folder to be created", () => join(fresh(), "a", "b"), []],
    ["an existing empty folder", () => withReports(fresh(), []), []],
  ])("accepts %s", (_, make, expected) => {
    const dir = make();
    expect(reportDirProblems(request(dir))).toEqual(expected);
    expect(readdirSync(root).some((name) => name.startsWith(".inferload-write-check"))).toBe(false);
  });

  test("creates nothing when the folder does not exist", () => {
    const dir = join(fresh(), "x");
    reportDirProblems(request(dir));
    expect(existsSync(dir)).toBe(false);
  });

  test("refuses a path that is a file", () => {
    const file = fresh();
    writeFileSync(file, "");
    expect(reportDirProblems(request(file))).toEqual([
      `Cannot write reports to "${file}": it is a file, not a folder`,
    ]);
  });

  test("refuses a path under a file", () => {
    const file = fresh();
    writeFileSync(file, "");
    expect(reportDirProblems(request(join(file, "out")))[0]).toContain(`"${file}" is a file, not a folder`);
  });

  test.skipIf(unwritable === null)("refuses a folder it cannot create", () => {
    expect(reportDirProblems(request(unwritable!))[0]).toContain("permission denied");
  });

  test("refuses a named folder that holds reports, unless overwriting", () => {
    const dir = withReports(fresh());
    expect(reportDirProblems(request(dir))[0]).toContain(
      "it already holds reports (2 files: stage_0_lifecycle_metrics.json, summary_lifecycle_metrics.json); pass --overwrite to replace them",
    );
    expect(reportDirProblems(request(dir, { overwrite: true }))).toEqual([]);
  });
});

describe("claimReportDir() (run)", () => {
  test("creates a named folder and proves it writable, leaving no probe behind", () => {
    const dir = join(fresh(), "out");
    expect(claimReportDir(request(dir))).toEqual({ dir });
    expect(readdirSync(dir)).toEqual([]);
  });

  test("refuses a named folder holding reports, and keeps them", () => {
    const dir = withReports(fresh());
    expect(claimReportDir(request(dir))).toEqual({
      problem: expect.stringContaining("pass --overwrite to replace them"),
    });
    expect(existingReports(dir, "")).toHaveLength(2);
  });

  test("with --overwrite, removes the old reports (and only them)", () => {
    const dir = withReports(fresh(), ["config.yaml", "stage_7_lifecycle_metrics.json", "notes.txt"]);
    expect(claimReportDir(request(dir, { overwrite: true }))).toEqual({ dir });
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  test("a report prefix decides which files are reports", () => {
    const dir = withReports(fresh(), ["a_summary_lifecycle_metrics.json", "summary_lifecycle_metrics.json"]);
    expect(existingReports(dir, "a_")).toEqual(["a_summary_lifecycle_metrics.json"]);
  });

  test("a default name already taken gets the next free suffix", () => {
    const base = fresh();
    mkdirSync(base);
    mkdirSync(`${base}-2`);
    const auto = request(base, { explicit: false });
    expect(claimReportDir(auto)).toEqual({ dir: `${base}-3` });
    expect(claimReportDir(auto)).toEqual({ dir: `${base}-4` });
  });

  test("two runs claiming the same default name in the same second get different folders", async () => {
    const base = join(fresh(), "reports-20260102-030405");
    const claims = await Promise.all(
      Array.from({ length: 8 }, async () => claimReportDir(request(base, { explicit: false }))),
    );
    const dirs = claims.map((claim) => ("dir" in claim ? claim.dir : claim.problem));
    expect(new Set(dirs).size).toBe(8);
  });

  test("refuses a path that is a file", () => {
    const file = fresh();
    writeFileSync(file, "");
    expect(claimReportDir(request(file))).toEqual({
      problem: `Cannot write reports to "${file}": it is a file, not a folder`,
    });
  });

  test.skipIf(unwritable === null)("refuses a folder it cannot create", () => {
    const claim = claimReportDir(request(unwritable!));
    expect("problem" in claim && claim.problem).toContain("permission denied");
  });
});
