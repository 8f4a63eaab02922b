import { expect, test } from "bun:test";
import { prespawnedCount, prespawnWorkers } from "../lib/worker/prespawn.ts";
import { runCli, startsRun } from "./main.ts";

test.each([
  [["run", "-c", "x.yaml"], true],
  [["run", "-c", "-", "--quiet"], true],
  [["run", "--help"], false], // help starts no benchmark
  [["run", "-c", "x.yaml", "-h"], false],
  [["validate", "-c", "x.yaml"], false],
  [["sim"], false],
  [[], false],
])("startsRun(%p) is %p: only a benchmark's Workers are started before the CLI loads", (argv, starts) => {
  expect(startsRun(argv)).toBe(starts);
});

test("Workers started early for a run that refuses its config are ended, so the process can exit", async () => {
  prespawnWorkers(1);
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    expect(await runCli(["run", "-c", "no-such-config.yaml"])).toBe(2);
  } finally {
    process.stderr.write = write;
  }
  expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
});
