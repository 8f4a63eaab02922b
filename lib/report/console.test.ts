import { expect, test } from "bun:test";
import { createCollector } from "../metrics/collector.ts";
import { record } from "../record/record.testing.ts";
import { consoleSummary, table } from "./console.ts";
import { fixedConfig, fixedRun, fixedStages } from "./fixed-run.testing.ts";
import { jsonSummary, summaryMarkers } from "./json.ts";

test("the console summary has a header, a units row, one row per stage and a total row", () => {
  const lines = consoleSummary(fixedRun()).split("\n");
  expect(lines[0]).toMatch(/^Stage\s+Rate\s+Achieved\s+OK\s+Failed\s+TTFT p50\s/);
  expect(lines[1]?.trim().split(/\s+/)).toEqual(["req/s", "req/s", ...new Array(8).fill("ms"), "tok/s"]);
  expect(lines[2]).toMatch(/^0\s+5\.00\s+5\.56\s+9\s+1\s+24\.0\s/); // requested, achieved, ok, failed, TTFT p50 ms
  expect(lines[3]).toMatch(/^1\s+c=2\s/);
  expect(lines[4]).toStartWith("all");
});

test("the console summary lists failure labels with a sample message, most frequent first", () => {
  const run = fixedRun();
  const text = consoleSummary(run);
  const labels = Object.entries(run.summary.byLabel);
  expect(labels.length).toBeGreaterThan(0);
  expect(text).toContain("Failures:");
  for (const [label, { count }] of labels) expect(text).toContain(`${count} × ${label}`);
});

test("the console summary says how requests used connections", () => {
  const text = consoleSummary(fixedRun());
  // Stage 0 opens one connection and re-sends one request on a second; stage 1 opens one per request.
  expect(text).toContain(
    "Connections: 6 opened (connect p50 0.25 ms), 9 reused, 5 closed by the server, 1 re-sent after a stale keep-alive close",
  );
});

test("the console summary says which share of ITL gaps are two events of one read", () => {
  const collector = createCollector({ config: fixedConfig });
  collector.stageStarted(fixedStages[0]!);
  // Gaps 0, 10, 0, 10: events 1-2 and 3-4 each arrived in one socket read.
  collector.add(record({ tokenEventMs: [1020, 1020, 1030, 1030, 1040] }));
  const text = consoleSummary(collector.finish({ interrupted: false }));
  expect(text).toContain("ITL: 50.0% of gaps are 0 (two token events in one socket read)");
  expect(consoleSummary(fixedRun())).not.toContain("ITL:");
});

test("the console summary says how many rate-stage requests left over 1 ms late, with the delay's p50 and p99", () => {
  const collector = createCollector({ config: fixedConfig });
  collector.stageStarted(fixedStages[0]!); // constant 5 req/s
  for (const delayMs of [0.05, 0.1, 1, 2.5])
    collector.add(record({ scheduledMs: 1000, sentMs: 1000 + delayMs }));
  const text = consoleSummary(collector.finish({ interrupted: false }));
  expect(text).toMatch(
    /^Schedule: 1 of 4 requests \(25\.00%\) left over 1 ms after their send time; delay p50 0\.\d\d ms, p99 2\.\d\d ms$/m,
  );
});

test("the schedule line counts only rate stages, and leaves out a delay diluted by closed-loop stages", () => {
  // Stage 0 at a rate (10 requests, none late), stage 1 a closed loop (2 of its 4 over 1 ms: not counted).
  const run = fixedRun();
  expect(run.stages.map((stage) => stage.metrics.lateSends)).toEqual([0, 2]);
  const line = consoleSummary(run)
    .split("\n")
    .find((l) => l.startsWith("Schedule:"));
  expect(line).toBe("Schedule: 0 of 10 requests (0.00%) left over 1 ms after their send time");
  const collector = createCollector({ config: fixedConfig });
  collector.stageStarted(fixedStages[1]!); // closed loop only: nothing to keep to
  collector.add(record({ stageId: 1, scheduledMs: 1000, sentMs: 1005 }));
  expect(consoleSummary(collector.finish({ interrupted: false }))).not.toContain("Schedule:");
});

test("table() pads columns to the widest cell", () => {
  expect(
    table([
      ["a", "1"],
      ["bbb", "22"],
    ]),
  ).toBe("a     1\nbbb  22");
});

test("the --json object holds the summary and every stage report", () => {
  const json = jsonSummary(fixedRun(), { reportDir: "r", files: ["r/a.json"] });
  expect(json).toMatchObject({ interrupted: false, report_dir: "r", files: ["r/a.json"] });
  expect((json.stages as unknown[]).length).toBe(2);
  expect((json.summary as { load_summary: { count: number } }).load_summary.count).toBe(14);
});

test("summaryMarkers() writes inference-perf's scrapable START/END blocks", () => {
  const text = summaryMarkers(fixedRun());
  expect(text.split("\n").filter((line) => line.startsWith("==="))).toEqual([
    "=== START_SUMMARY ===",
    "=== END_SUMMARY ===",
    "=== START_STAGE_0 ===",
    "=== END_STAGE_0 ===",
    "=== START_STAGE_1 ===",
    "=== END_STAGE_1 ===",
  ]);
  const summary = text.slice(text.indexOf("{"), text.indexOf("=== END_SUMMARY"));
  expect(JSON.parse(summary).load_summary.count).toBe(14);
});
