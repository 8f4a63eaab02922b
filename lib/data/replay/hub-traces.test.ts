import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../cli/errors.ts";
import { cacheDataset, fakeHub } from "../hub.testing.ts";
import { defaultTokenizer } from "../tokenizer/default.ts";
import { splitFiles } from "./hub-traces.ts";
import { loadOtelSessions, type OtelReplayConfig } from "./load-otel.ts";
import { loadWekaSessions, type WekaReplayConfig } from "./load-weka.ts";
import { trace } from "./trace.testing.ts";

const work = mkdtempSync(join(tmpdir(), "inferload-hub-traces-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshCache = () => join(work, `cache-${++n}`);
const offline = { HF_HUB_OFFLINE: "1" };
const noNetwork = fakeHub({});

const wekaTrace = JSON.parse(
  readFileSync(join(import.meta.dir, "../../../fixtures/weka/small-trace.json"), "utf8"),
);
const wekaLines = ["a", "b", "c"].map((id) => JSON.stringify({ ...wekaTrace, id })).join("\n");
const weka: WekaReplayConfig = {
  use_static_model: true,
  static_model_name: "m",
  default_max_tokens: 100,
  override_tool_call_max_tokens: true,
  max_wait_ms: 15000,
  skip_invalid_files: false,
  inject_random_session_id: false,
  trace_idle_gap_cap_seconds: 60,
  default_block_size: 64,
  num_dataset_entries: 2,
};
const tokenizer = defaultTokenizer();

describe("data.weka_trace_replay.hf_dataset_path", () => {
  test("reads the dataset's traces.jsonl from the Hugging Face cache, with no network, up to num_dataset_entries", async () => {
    const cacheDir = freshCache();
    cacheDataset(cacheDir, "org/weka", { "traces.jsonl": wekaLines });
    const { sessions } = await loadWekaSessions(
      { ...weka, hf_dataset_path: { path: "org/weka" } },
      { tokenizer, baseSeed: 1, hub: { env: offline, cacheDir, fetch: noNetwork } },
    );
    expect(sessions.map((s) => s.id).sort()).toEqual(["wekatrace0_a", "wekatrace1_b"]);
    expect(noNetwork.calls).toEqual([]);
  });

  test("downloads traces.jsonl once into the cache, then finds it there", async () => {
    const cacheDir = freshCache();
    const hub = fakeHub({ "/datasets/org/weka/resolve/main/traces.jsonl": [200, wekaLines] });
    const load = (env: Record<string, string>) =>
      loadWekaSessions(
        { ...weka, hf_dataset_path: "org/weka" },
        { tokenizer, baseSeed: 1, hub: { env, cacheDir, fetch: hub } },
      );
    expect((await load({})).sessions).toHaveLength(2);
    expect(hub.calls).toEqual(["https://huggingface.co/datasets/org/weka/resolve/main/traces.jsonl"]);
    expect((await load(offline)).sessions).toHaveLength(2);
    expect(hub.calls).toHaveLength(1);
  });

  test("offline and not cached, or a dataset without traces.jsonl: a clear error saying what to do", async () => {
    const cacheDir = freshCache();
    const error = (await loadWekaSessions(
      { ...weka, hf_dataset_path: "org/none" },
      { tokenizer, baseSeed: 1, hub: { env: offline, cacheDir } },
    ).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'Cannot load the Weka traces of "org/none" (data.weka_trace_replay.hf_dataset_path): not in the cache',
    );
    expect(error.details[0]).toContain("name it in data.weka_trace_replay.trace_files");
    await expect(
      loadWekaSessions(
        { ...weka, hf_dataset_path: "org/none" },
        { tokenizer, baseSeed: 1, hub: { env: {}, cacheDir, fetch: fakeHub({}) } },
      ),
    ).rejects.toThrow(
      'Cannot load the Weka traces of "org/none" (data.weka_trace_replay.hf_dataset_path): the dataset has no traces.jsonl',
    );
  });
});

const otel: OtelReplayConfig = {
  use_static_model: true,
  static_model_name: "m",
  default_max_tokens: 100,
  override_tool_call_max_tokens: true,
  max_wait_ms: 15000,
  include_errors: false,
  skip_invalid_files: false,
  inject_random_session_id: false,
};
const row = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    session_id: id,
    benchmark: id.startsWith("m") ? "math" : "gsm8k",
    ...trace([{ id: `${id}-1`, start: 0, end: 1, input: [["user", `q-${id}`]], output: `r-${id}` }]),
    ...extra,
  });

describe("data.otel_trace_replay.hf_dataset_path", () => {
  const files = {
    "README.md": "# traces",
    "data/train-00000-of-00002.jsonl": [row("g1"), row("m1")].join("\n"),
    "data/train-00001-of-00002.jsonl": row("g2"),
    "data/test-00000-of-00001.jsonl": row("t1"),
  };
  const listing = JSON.stringify(Object.keys(files).map((path) => ({ type: "file", path })));

  test("downloads the split's files (listed by the hub) into the cache; each row is a session named by its session_id", async () => {
    const cacheDir = freshCache();
    const routes: Record<string, [number, string]> = {
      "/api/datasets/org/otel/tree/main?recursive=true": [200, listing],
    };
    for (const [path, content] of Object.entries(files))
      routes[`/datasets/org/otel/resolve/main/${path}`] = [200, content];
    const hub = fakeHub(routes);
    const { sessions } = await loadOtelSessions({ ...otel, hf_dataset_path: "org/otel" }, 1, {
      env: {},
      cacheDir,
      fetch: hub,
    });
    expect(sessions.map((s) => s.id.replace(/^trace\d_/, "")).sort()).toEqual(["g1", "g2", "m1"]);
    expect(hub.calls.filter((u) => u.includes("/resolve/"))).toHaveLength(2); // the train files only
    // Then offline: the cached snapshot stands in for the listing.
    const again = await loadOtelSessions({ ...otel, hf_dataset_path: "org/otel" }, 1, {
      env: offline,
      cacheDir,
    });
    expect(again.sessions.map((s) => s.id)).toEqual(sessions.map((s) => s.id));
  });

  test("split and filter choose the rows; a row without session_id is named session_<slot>", async () => {
    const cacheDir = freshCache();
    cacheDataset(cacheDir, "org/otel", {
      ...files,
      "data/test-00000-of-00001.jsonl": `${row("t1")}\n${row("", { session_id: null })}`,
    });
    const load = (hf: OtelReplayConfig["hf_dataset_path"], filter?: string) =>
      loadOtelSessions({ ...otel, hf_dataset_path: hf, filter }, 1, { env: offline, cacheDir });
    const testSplit = await load({ path: "org/otel", split: "test" });
    expect(testSplit.sessions.map((s) => s.id).sort()).toEqual(["trace0_t1", "trace1_session_1"].sort());
    const gsm = await load("org/otel", "lambda x: x['benchmark'] == 'gsm8k'");
    expect(gsm.sessions.map((s) => s.id.replace(/^trace\d_/, "")).sort()).toEqual(["g1", "g2"]);
    expect(gsm.notes).toContain("The filter kept 2 of 3 traces");
  });

  test("offline with nothing cached: the same message as the other hub datasets", async () => {
    await expect(
      loadOtelSessions({ ...otel, hf_dataset_path: "org/none" }, 1, { env: offline, cacheDir: freshCache() }),
    ).rejects.toThrow(
      new UserError(
        'Cannot load the OTel traces of "org/none" (data.otel_trace_replay.hf_dataset_path): not in the cache',
      ),
    );
  });
});

describe("splitFiles()", () => {
  const ref = (split: string, dataFiles: string[] | null = null) => ({ repo: "r", split, dataFiles });
  test.each([
    [["data/train-00000.parquet", "data/test-00000.parquet"], "train", ["data/train-00000.parquet"]],
    [["train/a.jsonl", "validation/b.jsonl"], "validation", ["validation/b.jsonl"]],
    [["traces_dev.json", "traces_train.json"], "validation", ["traces_dev.json"]],
    [
      ["traces.jsonl", "more/part-1.json", ".hidden/x.json", "notes.txt"],
      "train",
      ["more/part-1.json", "traces.jsonl"],
    ],
    [["trainer.jsonl", "constrain.jsonl"], "train", ["constrain.jsonl", "trainer.jsonl"]],
  ])("%p, split %s → %p", (paths, split, expected) => {
    expect(splitFiles(paths, ref(split))).toEqual(expected);
  });

  test("data_files globs choose the files when given", () => {
    expect(splitFiles(["a/x.jsonl", "b/y.jsonl"], ref("train", ["b/*.jsonl"]))).toEqual(["b/y.jsonl"]);
  });

  test("no file for the split, or only formats that cannot be read, is named", () => {
    expect(() => splitFiles(["data/train.csv"], ref("train"))).toThrow(
      'Cannot load the traces of "r": no data file of its split "train" (it holds data/train.csv: only JSON, JSON lines and Parquet are read)',
    );
    expect(() => splitFiles(["traces.jsonl"], ref("test"))).toThrow('no data file of its split "test"');
  });
});
