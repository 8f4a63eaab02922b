// The simulator's fault injection against a whole run (runBenchmark: Workers, reports): the report's
// counts must be the simulator's own, request for request, streamed and not. Each request the
// simulator logged (its truth log) is one record, and each fault it injected is one failure of the
// kind it maps to: a status fault an http_status of that code, a cut a stream_error (streamed) or a
// request that got no answer (not streamed), a malformed event or body a parse_error, an error event a
// stream_error.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { TruthRecord } from "../sim/truth-log.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { randomData, runBenchmarkFrom, simConfig, withSim } from "./benchmark.testing.ts";
import type { BenchmarkResult } from "./benchmark.ts";

const REQUESTS = 160;
const dir = tempDirForTests("inferload-fault-agreement-");

interface Played {
  result: BenchmarkResult;
  truths: TruthRecord[];
}

async function play(streaming: boolean): Promise<Played> {
  const truths: TruthRecord[] = [];
  return withSim(
    {
      // A non-streamed cut strikes when token 5 would be generated: 30 ms of prefill puts it well past
      // the transport's stale keep-alive window (a close within ~5 ms of the write, see
      // lib/http/_keep-alive.ts), where a real server's drop is told from a connection it had closed.
      prefillMs: 30,
      itlMs: 1,
      seed: 3,
      faults: {
        rate429: 0.05,
        rate500: 0.05,
        rate503: 0.05,
        cutRate: 0.1,
        malformedRate: 0.05,
        errorEventRate: 0.05,
      },
      onTruth: (t) => truths.push(t),
    },
    async (sim) => {
      const result = await runBenchmarkFrom(
        simConfig(sim.url, {
          api: { streaming },
          server: { ignore_eos: true },
          data: randomData(10, 8),
          // Eight at once on one Worker: connections are reused, where a hidden re-send would show.
          load: {
            type: "concurrent",
            base_seed: 5,
            stages: [{ num_requests: REQUESTS, concurrency_level: 8 }],
          },
          storage: { local_storage: { path: join(dir, streaming ? "stream" : "unary") } },
        }),
      );
      return { result, truths };
    },
  );
}

/** What the report should say, from the simulator's truth log alone. */
function expectedFromTruth(truths: readonly TruthRecord[], streaming: boolean) {
  const kinds: Record<string, number> = {};
  const labels: Record<string, number> = {};
  const add = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  let ok = 0;
  for (const t of truths) {
    if (t.fault === "none") ok++;
    else if (t.fault === "cut") add(kinds, streaming ? "stream_error" : "connect");
    else if (t.fault === "malformed") add(kinds, "parse_error");
    else if (t.fault === "error_event") add(kinds, "stream_error");
    else {
      add(kinds, "http_status");
      add(
        labels,
        `${t.status} - ${{ 429: "Rate Limit", 500: "Internal Server Error", 503: "Service Unavailable" }[t.status]}`,
      );
    }
  }
  return { records: truths.length, ok, kinds, labels };
}

function reported({ result }: Played) {
  const m = result.report.summary;
  const kinds = { ...m.byKind };
  // A cut before any response byte: "dropped" when the server had the request, "connect" when the
  // connection closed as it came up; the simulator cannot tell them apart, so both count as its cut.
  if (kinds.dropped !== undefined) {
    kinds.connect = (kinds.connect ?? 0) + kinds.dropped;
    delete kinds.dropped;
  }
  const labels: Record<string, number> = {};
  for (const [label, { count }] of Object.entries(m.byLabel))
    if (/^\d{3} /.test(label)) labels[label] = count;
  return { records: m.count, ok: m.successCount, kinds, labels };
}

describe("the report's failure counts against the simulator's faults", () => {
  test("streamed: every fault the simulator injected is one failure of its kind, and nothing else failed", async () => {
    const p = await play(true);
    const expected = expectedFromTruth(p.truths, true);
    expect(expected.records).toBe(REQUESTS); // nothing was sent twice
    expect(Object.keys(expected.kinds).length).toBeGreaterThanOrEqual(3); // the faults did strike
    expect(reported(p)).toEqual(expected);
  }, 60_000);

  test("not streamed: every fault the simulator injected is one failure of its kind, and nothing else failed", async () => {
    const p = await play(false);
    const expected = expectedFromTruth(p.truths, false);
    // A cut on a kept-alive connection is not re-sent: the simulator saw each request once.
    expect(expected.records).toBe(REQUESTS);
    expect(Object.keys(expected.kinds).length).toBeGreaterThanOrEqual(3);
    expect(reported(p)).toEqual(expected);
  }, 60_000);
});
