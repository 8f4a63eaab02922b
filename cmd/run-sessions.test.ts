// End-to-end: session workloads through the real `inferload run` (in-process, Workers and all) against
// the built-in simulator: inference-perf's own example configs, call order and turn order read back
// from the per-request records, the session reports, prefix-cache hits, failures and interrupts.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYAML } from "confbox";
import { cacheDataset } from "../lib/data/hub.testing.ts";
import { loadOtelSessions } from "../lib/data/replay/load-otel.ts";
import { startHeaderProxy } from "../lib/http/header-proxy.testing.ts";
import type { RequestRecord } from "../lib/record/record.ts";
import {
  readReport as readJson,
  withSim as withAnySim,
  writeConfigFile,
} from "../lib/run/benchmark.testing.ts";
import type { RunningSim, StartSimInput } from "../lib/sim/start.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";
import { setEnvForTests } from "./run-config.testing.ts";

const root = join(import.meta.dir, "..");
const upstream = (name: string) => join(root, "fixtures/configs/upstream", name);
const fanInTrace = join(root, "fixtures/otel/fan_in_dependencies.json");
const SMOL = "HuggingFaceTB/SmolLM2-135M-Instruct";

const dir = tempDirForTests("inferload-sessions-test-");

// Configs and reports are read and edited as loose JSON, as a reader of the files would.
// biome-ignore lint/suspicious/noExplicitAny: arbitrary report and config JSON
type Json = Record<string, any>;
const writeJson = (config: Json) => writeConfigFile(dir, config);

/**
 * A session-replay run against `url`'s "sim-model": chat, streamed, every request and every session
 * reported; `load` goes under `type: trace_session_replay`.
 */
function replayConfig(url: string, data: Json, load: Json, api: Json = {}): string {
  return writeJson({
    api: { type: "chat", streaming: true, ...api },
    server: { base_url: url, model_name: "sim-model" },
    data,
    load: { type: "trace_session_replay", ...load },
    report: { request_lifecycle: { per_request: true }, session_lifecycle: { per_session: true } },
  });
}

/** `data:` upstream's fan-in trace, every call sent to the static model "sim-model". */
function fanInData(replay: Json): Json {
  return {
    type: "otel_trace_replay",
    otel_trace_replay: {
      trace_files: [fanInTrace],
      use_static_model: true,
      static_model_name: "sim-model",
      ...replay,
    },
  };
}
function records(out: string): RequestRecord[] {
  return readFileSync(join(out, "per_request_records.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith('{"stageId"'))
    .map((l) => JSON.parse(l));
}
function bySession(rows: RequestRecord[]): Map<string, RequestRecord[]> {
  const out = new Map<string, RequestRecord[]>();
  for (const r of rows) {
    const key = `${r.stageId}:${r.session}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(r);
  }
  return out;
}
/** Turns of one session never overlap: each is sent after the one before it ended. */
function expectNoOverlap(rows: RequestRecord[]) {
  for (const [, turns] of bySession(rows)) {
    turns.sort((a, b) => a.sentMs - b.sentMs);
    for (let i = 1; i < turns.length; i++)
      expect(turns[i]!.sentMs).toBeGreaterThanOrEqual(turns[i - 1]!.endMs);
  }
}

/** This file's simulator: a fast one (2 ms prefill, 1 ms per token) unless `options` say otherwise. */
function withSim<T>(options: Omit<StartSimInput, "host" | "port">, fn: (sim: RunningSim) => Promise<T>) {
  return withAnySim({ prefillMs: 2, itlMs: 1, ...options }, fn);
}

describe("OTel trace replay", () => {
  test("upstream's fan-in example sends every call once, each when its predecessors ended plus the recorded think time", async () => {
    await withSim({ model: SMOL }, async (sim) => {
      const config = parseYAML(readFileSync(upstream("fan_in_dependencies.yml"), "utf8")) as Json;
      config.server.base_url = sim.url;
      config.data.otel_trace_replay.trace_files = [fanInTrace];
      config.report.request_lifecycle.per_request = true;
      config.load.base_seed = 1;
      const out = join(dir, "fan-in");
      expect(await runCli(["run", "-c", writeJson(config), "--quiet", "--output-dir", out])).toBe(0);
      const summary = readJson(out, "summary_lifecycle_metrics.json");
      expect([summary.successes.count, summary.failures.count]).toEqual([4, 0]);
      expect(sim.stats().requestsByModel[SMOL]).toBe(4);
      // The graph the run replayed, to check the order against.
      const { sessions } = await loadOtelSessions(
        {
          ...config.data.otel_trace_replay,
          max_wait_ms: 15000,
          override_tool_call_max_tokens: true,
          inject_random_session_id: false,
        },
        1,
      );
      const calls = sessions[0]!.calls;
      const rows = records(out).sort((a, b) => a.index - b.index);
      expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
      calls.forEach((call, i) => {
        const row = rows[i]!;
        if (call.predecessors.length > 0) {
          const ready = Math.max(...call.predecessors.map((p) => rows[p]!.endMs)) + call.waitMs;
          expect(row.scheduledMs).toBeCloseTo(ready, 6);
        }
        expect(row.sentMs).toBeGreaterThanOrEqual(row.scheduledMs);
      });
      // The fan-in call waited for all three and then the trace's 1 s gap.
      expect(calls[3]!.predecessors).toEqual([2, 1, 0]);
      expect(
        rows[3]!.sentMs - Math.max(rows[0]!.endMs, rows[1]!.endMs, rows[2]!.endMs),
      ).toBeGreaterThanOrEqual(999);
      // Session reports: one session, complete.
      const sessionsSummary = readJson(out, "summary_session_lifecycle_metrics.json");
      expect(sessionsSummary).toMatchObject({
        num_sessions: 1,
        num_sessions_succeeded: 1,
        total_events: 4,
        total_events_completed: 4,
      });
      expect(readJson(out, "stage_0_session_lifecycle_metrics.json").stage_metadata).toEqual({
        stage_id: 0,
        status: "COMPLETED",
        timeout_configured: null,
        actual_duration: expect.any(Number),
        concurrent_sessions: 1,
        session_rate: null,
      });
    });
  }, 30_000);

  test("api.type anthropic_messages replays the fan-in example through the Messages API, every call once", async () => {
    await withSim({ model: SMOL }, async (sim) => {
      const config = parseYAML(readFileSync(upstream("fan_in_dependencies.yml"), "utf8")) as Json;
      config.server.base_url = sim.url;
      config.api = { type: "anthropic_messages", streaming: true };
      config.data.otel_trace_replay.trace_files = [fanInTrace];
      config.data.otel_trace_replay.max_wait_ms = 10;
      config.report.request_lifecycle.per_request = true;
      const out = join(dir, "fan-in-anthropic");
      expect(await runCli(["run", "-c", writeJson(config), "--quiet", "--output-dir", out])).toBe(0);
      const summary = readJson(out, "summary_lifecycle_metrics.json");
      expect([summary.successes.count, summary.failures.count]).toEqual([4, 0]);
      expect(sim.stats().requestsByModel[SMOL]).toBe(4);
      expect(readJson(out, "summary_session_lifecycle_metrics.json").num_sessions_succeeded).toBe(1);
      expect(
        records(out)
          .map((r) => [r.index, r.status])
          .sort(),
      ).toEqual([
        [0, 200],
        [1, 200],
        [2, 200],
        [3, 200],
      ]);
    });
  }, 30_000);

  test("stages take corpus slices; one session at a time never overlaps; session headers go on every call", async () => {
    await withSim({}, async (sim) => {
      const proxy = await startHeaderProxy(sim.port, {
        header: "x-session-id",
        tokenHeader: "x-route",
        token: (seen) => `pod-for-${seen.header}`,
      });
      try {
        const out = join(dir, "stages");
        const config = replayConfig(
          proxy.url,
          fanInData({ duplicate_sessions_target: 3, max_wait_ms: 100 }),
          {
            num_workers: 2,
            base_seed: 3,
            interval: 0,
            stages: [{ concurrent_sessions: 1, num_sessions: 2 }, { concurrent_sessions: 0 }],
          },
          { session_id_header_key: "x-session-id", session_token_header_key: "x-route" },
        );
        expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
        const perSession = readJson(out, "per_session_lifecycle_metrics.json") as Json[];
        expect(perSession.map((s) => [s.stage_id, s.success])).toEqual([
          [0, true],
          [0, true],
          [1, true],
        ]);
        // concurrent_sessions 1: the second session of stage 0 starts after the first ended.
        const [first, second] = perSession;
        expect(second!.start_time).toBeGreaterThanOrEqual(first!.end_time);
        // Every request carried its session's id; after the first reply, the token the gateway gave it.
        const posts = proxy.seen.filter((s) => s.path.endsWith("/completions"));
        expect(posts).toHaveLength(12);
        const ids = new Set(perSession.map((s) => s.session_id));
        for (const seen of posts) expect(ids.has(seen.header)).toBe(true);
        for (const id of ids) {
          const calls = posts.filter((s) => s.header === id);
          expect(calls.map((c) => c.token)).toEqual([null, ...calls.slice(1).map(() => `pod-for-${id}`)]);
        }
      } finally {
        await proxy.stop();
      }
    });
  }, 30_000);

  test("a failing server fails sessions, cancels their later calls, and every session is reported", async () => {
    await withSim({ seed: 11, faults: { rate500: 0.35 } }, async (sim) => {
      {
        const out = join(dir, "failures");
        const config = replayConfig(
          sim.url,
          fanInData({
            duplicate_sessions_target: 8,
            max_wait_ms: 10,
            attribute_to_label_map: {
              "exgentic.session.id": "session",
              "gen_ai.request.max_tokens": "cap",
              "app.absent": "team",
            },
          }),
          { num_workers: 2, base_seed: 5, stages: [{ concurrent_sessions: 4 }] },
        );
        expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
        const perSession = readJson(out, "per_session_lifecycle_metrics.json") as Json[];
        const summary = readJson(out, "summary_session_lifecycle_metrics.json");
        expect(summary.num_sessions).toBe(8);
        expect(summary.num_sessions_succeeded + summary.num_sessions_failed).toBe(8);
        expect(summary.num_sessions_failed).toBeGreaterThan(0);
        expect(summary.failures.by_label["HTTP Error 500"].count).toBe(summary.num_sessions_failed);
        // Each session's 4 calls: completed, failed (parallel branches can both fail) or never sent.
        const perRequest = readJson(out, "per_request_lifecycle_metrics.json") as Json[];
        for (const s of perSession) {
          const failed = perRequest.filter((r) => r.session_id === s.session_id && r.error !== null).length;
          expect(s.num_events_completed + failed + s.num_events_cancelled).toBe(4);
          expect(s.success).toBe(failed === 0);
          if (!s.success) expect(s.error.error_type).toBe("HTTP Error 500");
        }
        // attribute_to_label_map: every call, failed or not, reports its span's attributes as labels.
        expect(perRequest.map((r) => r.info.labels.session)).toEqual(perRequest.map(() => "session_003"));
        expect(new Set(perRequest.map((r) => `${r.info.labels.cap}/${r.info.labels.team}`))).toEqual(
          new Set(["500/default", "1500/default"]),
        );
        // Records: no call of a failed session became due after the failure. (Its send time can trail
        // the failure by a fraction of a millisecond: a parallel call taken at the same moment is
        // still being written when the other's 500 arrives; calls in flight finish, as upstream.)
        for (const [, calls] of bySession(records(out))) {
          const failedAt = Math.min(...calls.filter((c) => c.failure !== null).map((c) => c.endMs));
          for (const c of calls) if (c.failure === null) expect(c.scheduledMs).toBeLessThanOrEqual(failedAt);
        }
      }
    });
  }, 30_000);
});

describe("multi-turn shared prefix", () => {
  test("upstream's multi-turn example: each user's turns carry the growing history, one at a time, and hit the prefix cache", async () => {
    await withSim({ model: SMOL }, async (sim) => {
      const proxy = await startHeaderProxy(sim.port, { header: "x-session-id" });
      try {
        const config = parseYAML(
          readFileSync(upstream("config-shared-prefix-multi-turn.yml"), "utf8"),
        ) as Json;
        config.server.base_url = proxy.url;
        delete config.tokenizer;
        delete config.metrics;
        config.load.base_seed = 9;
        config.api.session_id_header_key = "x-session-id";
        config.report.session_lifecycle = { per_session: true };
        const out = join(dir, "multi-turn");
        expect(await runCli(["run", "-c", writeJson(config), "--quiet", "--output-dir", out])).toBe(0);
        const rows = records(out);
        // rate 20 × 5 s: 100 requests, 20 users × 5 turns.
        expect(rows).toHaveLength(100);
        const users = bySession(rows);
        expect(users.size).toBe(20);
        expectNoOverlap(rows);
        for (const [, turns] of users) {
          expect(turns).toHaveLength(5);
          turns.sort((a, b) => a.index - b.index);
          // The history grows every turn, and from the second turn on the history is a cache hit.
          for (let i = 1; i < turns.length; i++) {
            expect(turns[i]!.promptTokens).toBeGreaterThan(turns[i - 1]!.promptTokens);
            expect(turns[i]!.cachedPromptTokens).toBeGreaterThan(0);
          }
        }
        const summary = readJson(out, "summary_session_lifecycle_metrics.json");
        expect([summary.num_sessions, summary.num_sessions_succeeded, summary.total_events]).toEqual([
          20, 20, 100,
        ]);
        expect(summary.kv_cache_hit_percent).toBeGreaterThan(40);
        // Every request carried its user's session id; the server saw each user's prompt grow by its reply.
        const posts = proxy.seen.filter((s) => s.path.endsWith("/completions"));
        expect(new Set(posts.map((s) => s.header))).toEqual(
          new Set(Array.from({ length: 20 }, (_, u) => `user_session_${u}`)),
        );
        const user0 = posts
          .filter((s) => s.header === "user_session_0")
          .map((s) => JSON.parse(s.body).prompt);
        for (let i = 1; i < user0.length; i++) expect(user0[i]!.startsWith(user0[i - 1]!)).toBe(true);
      } finally {
        await proxy.stop();
      }
    });
  }, 40_000);
});

describe("conversation replay", () => {
  async function runQuickstart(out: string, url: string) {
    const config = parseYAML(readFileSync(upstream("conversation-replay-quickstart.yml"), "utf8")) as Json;
    config.server.base_url = url;
    config.server.model_name = "sim-model";
    delete config.tokenizer;
    // Scaled down (see fixtures/configs/upstream/README.md): same shape, seconds instead of minutes.
    config.load.stages = [{ num_requests: 30, concurrency_level: 5 }];
    config.load.num_workers = 2;
    config.load.base_seed = 4;
    const cr = config.data.conversation_replay;
    cr.num_conversations = 5;
    cr.shared_system_prompt_len = 120;
    cr.dynamic_system_prompt_len = { type: "normal", min: 20, max: 60, mean: 40, std_dev: 10 };
    cr.turns_per_conversation = { type: "normal", min: 2, max: 4, mean: 3, std_dev: 1 };
    cr.input_tokens_per_turn = { type: "lognormal", min: 10, max: 60, mean: 30, std_dev: 10 };
    cr.output_tokens_per_turn = { type: "lognormal", min: 5, max: 20, mean: 10, std_dev: 4 };
    config.report = { request_lifecycle: { per_request: true }, session_lifecycle: { per_session: true } };
    expect(await runCli(["run", "-c", writeJson(config), "--quiet", "--output-dir", out])).toBe(0);
  }

  test("upstream's quick start, scaled down: conversations in order, restarting after their last turn, reproducible", async () => {
    await withSim({}, async (sim) => {
      const out = join(dir, "conversations");
      sim.resetPeaks();
      await runQuickstart(out, sim.url);
      const rows = records(out);
      expect(rows).toHaveLength(30);
      expect(sim.stats().maxConcurrent).toBeLessThanOrEqual(5);
      expectNoOverlap(rows);
      const perSession = readJson(out, "per_session_lifecycle_metrics.json") as Json[];
      const names = perSession.map((s) => s.session_id);
      expect(names.filter((id) => /^conv_\d$/.test(id))).toHaveLength(5);
      expect(names.some((id) => /^slot_\d_convo_\d+$/.test(id))).toBe(true);
      // Every request is in a session, and every session that ran out of requests is reported cut short.
      expect(perSession.reduce((t, s) => t + s.num_events_completed, 0)).toBe(30);
      const summary = readJson(out, "summary_session_lifecycle_metrics.json");
      expect(summary.num_sessions).toBe(perSession.length);
      expect(summary.num_sessions_not_completed_active).toBe(
        perSession.filter((s) => s.status === "cut_short").length,
      );
      // Same seeds, same conversations: the first turn of every session sends the same prompt.
      const again = join(dir, "conversations-again");
      await runQuickstart(again, sim.url);
      const firstTurns = (rs: RequestRecord[]) =>
        [...bySession(rs)]
          .map(([k, t]) => [
            k,
            Math.min(...t.map((r) => r.index)),
            t.sort((a, b) => a.index - b.index)[0]!.promptTokens,
          ])
          .sort();
      expect(firstTurns(records(again))).toEqual(firstTurns(rows));
      expect(
        (readJson(again, "per_session_lifecycle_metrics.json") as Json[]).map((s) => s.session_id).sort(),
      ).toEqual([...names].sort());
    });
  }, 40_000);
});

describe("interrupts", () => {
  test("Ctrl-C cuts running sessions short: reported, never lost, with every finished call kept", async () => {
    await withSim({ itlMs: 20 }, async (sim) => {
      const out = join(dir, "interrupted");
      const config = replayConfig(sim.url, fanInData({ duplicate_sessions_target: 6 }), {
        num_workers: 1,
        base_seed: 2,
        stages: [{ concurrent_sessions: 2 }],
      });
      const running = runCli(["run", "-c", config, "--quiet", "--output-dir", out]);
      for (let i = 0; i < 400 && sim.stats().completed < 3; i++) await new Promise((r) => setTimeout(r, 25));
      process.emit("SIGINT");
      expect(await running).toBe(130);
      const summary = readJson(out, "summary_session_lifecycle_metrics.json");
      expect(summary.num_sessions).toBe(6);
      expect(summary.num_sessions_not_completed_active).toBeGreaterThan(0);
      expect(summary.num_sessions_not_completed_pending).toBeGreaterThan(0);
      expect(readJson(out, "stage_0_session_lifecycle_metrics.json").stage_metadata.status).toBe(
        "INTERRUPTED",
      );
      const perSession = readJson(out, "per_session_lifecycle_metrics.json") as Json[];
      const cut = perSession.filter((s) => s.status === "cut_short");
      expect(cut.every((s) => s.success === null)).toBe(true);
      // Every finished call is in the request reports.
      const completed = perSession.reduce((t, s) => t + s.num_events_completed, 0);
      expect(readJson(out, "summary_lifecycle_metrics.json").successes.count).toBe(completed);
    });
  }, 30_000);
});

describe("Weka trace replay", () => {
  test("rebuilds prompts block for block: each turn follows the one before, and the shared blocks hit the prefix cache", async () => {
    await withSim({}, async (sim) => {
      const out = join(dir, "weka");
      const config = replayConfig(
        sim.url,
        {
          type: "weka_trace_replay",
          weka_trace_replay: {
            trace_files: [join(root, "fixtures/weka/small-trace.json")],
            use_static_model: true,
            static_model_name: "sim-model",
            trace_idle_gap_cap_seconds: 1,
          },
        },
        { num_workers: 1, base_seed: 8, stages: [{ concurrent_sessions: 1 }] },
      );
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      const rows = records(out);
      // Three main turns and the subagent's two: every call once.
      expect(rows.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
      const [session] = readJson(out, "per_session_lifecycle_metrics.json") as Json[];
      expect(session).toMatchObject({ session_id: "wekatrace0_demo-1", num_events: 5, success: true });
      // Turns that extend an earlier prompt find it in the server's prefix cache.
      expect(session!.total_cached_tokens).toBeGreaterThan(0);
    });
  }, 30_000);

  test("upstream's config-weka.yaml runs as written, its Hugging Face dataset read from a cache the test builds (offline)", async () => {
    // The dataset stood in for: six traces of the fixture's shape (its 95 s idle gap shortened) in the
    // cache layout huggingface_hub leaves, under HF_HUB_CACHE; HF_HUB_OFFLINE proves nothing is fetched.
    const small = JSON.parse(readFileSync(join(root, "fixtures/weka/small-trace.json"), "utf8")) as Json;
    small.requests.at(-1).t = 3;
    const lines = ["a", "b", "c", "d", "e", "f"].map((id) => JSON.stringify({ ...small, id })).join("\n");
    const cache = join(dir, "hf-cache");
    cacheDataset(cache, "semianalysisai/cc-traces-weka-with-subagents-060826-256k", {
      "traces.jsonl": lines,
    });
    const saved = { ...process.env };
    setEnvForTests(saved, { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" });
    try {
      await withSim({ model: "google/gemma-3-1b-it" }, async (sim) => {
        const out = join(dir, "config-weka");
        const code = await runCli([
          "run",
          "-c",
          upstream("config-weka.yaml"),
          "--set",
          `server.base_url="${sim.url}"`,
          "--set",
          `tokenizer.pretrained_model_name_or_path="${join(root, "fixtures/data/tokenizer.json")}"`,
          "--quiet",
          "--output-dir",
          out,
        ]);
        expect(code).toBe(0);
        const summary = readJson(out, "summary_session_lifecycle_metrics.json");
        // num_dataset_entries: 5 of the six traces, all five sessions of the stage, each of five calls.
        expect([summary.num_sessions, summary.num_sessions_succeeded, summary.total_events]).toEqual([
          5, 5, 25,
        ]);
        const requests = readJson(out, "summary_lifecycle_metrics.json");
        expect(requests.successes.count).toBe(25);
        expect(Object.keys(requests.successes.goodput_metrics)).toContain("goodput_percentage");
      });
    } finally {
      setEnvForTests(saved);
    }
  }, 60_000);
});
