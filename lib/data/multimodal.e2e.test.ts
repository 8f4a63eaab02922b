// inference-perf's multimodal examples run against the built-in simulator (URL, tokenizer and load
// changed only): every request carries its media in OpenAI content parts, the simulator counts them as
// prompt tokens, the report has upstream's media keys, and a server refusing a modality is data.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { imageTokens, videoTokens } from "../sim/media-tokens.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import type { TruthRecord } from "../sim/truth-log.ts";

const EXAMPLES = join(import.meta.dir, "../../fixtures/configs/examples/multimodal");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "inferload-mm-e2e-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runExample(name: string, url: string, out: string, extra: string[] = []): Promise<number> {
  return runCli([
    "run",
    "-c",
    join(EXAMPLES, name),
    "--quiet",
    "--output-dir",
    out,
    "--set",
    `server.base_url=${url}`,
    "--set",
    "server.model_name=sim-model",
    "--set",
    "tokenizer=null",
    "--set",
    'load.stages=[{"rate": 8, "duration": 1}]',
    "--set",
    "load.base_seed=5",
    ...extra,
  ]);
}

const summary = (out: string) =>
  JSON.parse(readFileSync(join(out, "summary_lifecycle_metrics.json"), "utf8"));

describe("mixed.yaml (an image, a video and a clip per request)", () => {
  test("each request's prompt tokens are its text plus the media the simulator counts", async () => {
    const truth: TruthRecord[] = [];
    const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, onTruth: (r) => truth.push(r) });
    const out = join(dir, "mixed");
    try {
      expect(await runExample("mixed.yaml", sim.url, out)).toBe(0);
    } finally {
      await sim.stop();
    }
    expect(truth.length).toBe(8);
    // 32 text tokens + 1080p image + 720p x 32-frame video + 5 s of audio at 25 tokens/s.
    const media = imageTokens(1920, 1080) + videoTokens(1280, 720, 32) + 125;
    // The clip cuts the text once (at its middle character, as upstream), and each side is counted
    // on its own: a word cut in two can count as a few more tokens.
    for (const r of truth) {
      expect(r.promptTokens - media).toBeGreaterThanOrEqual(32);
      expect(r.promptTokens - media).toBeLessThanOrEqual(36);
    }

    const successes = summary(out).successes;
    expect(successes.count).toBe(8);
    expect(Object.keys(successes.throughput)).toEqual([
      "input_tokens_per_sec",
      "output_tokens_per_sec",
      "total_tokens_per_sec",
      "requests_per_sec",
      "images_per_sec",
      "videos_per_sec",
      "audios_per_sec",
    ]);
    expect(successes.throughput.images_per_sec).toBeCloseTo(successes.throughput.requests_per_sec, 9);
    const keys = Object.keys(successes);
    expect(keys.slice(keys.indexOf("request_size_bytes"), keys.indexOf("request_size_bytes") + 4)).toEqual([
      "request_size_bytes",
      "image",
      "video",
      "audio",
    ]);
    expect(successes.image.count.mean).toBe(1);
    expect(successes.image.pixels.mean).toBe(1920 * 1080);
    expect(successes.image.aspect_ratio.mean).toBeCloseTo(16 / 9, 12);
    expect(successes.video.frames.mean).toBe(32);
    expect(successes.video.pixels.mean).toBe(1280 * 720);
    expect(successes.audio.seconds.mean).toBe(5);
    // 5 s of 16 kHz 16-bit mono plus the 44-byte header.
    expect(successes.audio.bytes.mean).toBe(160044);
    // The wire body carries all of it, base64: more than 4/3 of the media bytes.
    const mediaBytes = successes.image.bytes.mean + successes.video.bytes.mean + successes.audio.bytes.mean;
    expect(successes.request_size_bytes.mean).toBeGreaterThan((mediaBytes * 4) / 3);
  }, 60_000);

  test("a server that takes no video refuses every request with 400, counted as failures", async () => {
    const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, limitMmPerPrompt: '{"video":0}' });
    const out = join(dir, "mixed-no-video");
    try {
      // Every request refused: the run exits 1, with its reports written.
      expect(await runExample("mixed.yaml", sim.url, out)).toBe(1);
    } finally {
      await sim.stop();
    }
    const report = summary(out);
    expect(report.successes.count).toBe(0);
    expect(report.failures.count).toBe(8);
    const [label] = Object.values(report.failures.by_label) as { messages: { message: string }[] }[];
    expect(label?.messages[0]?.message).toContain("At most 0 video(s) may be provided in one prompt.");
  }, 60_000);
});

test("video_mp4.yaml as frames sends one image block per frame and reports one video", async () => {
  const truth: TruthRecord[] = [];
  const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, onTruth: (r) => truth.push(r) });
  const out = join(dir, "frames");
  try {
    expect(
      await runExample("video_mp4.yaml", sim.url, out, [
        "--set",
        "data.multimodal.video.representation=png_frames",
        "--set",
        'data.multimodal.video.profiles={"resolution": "360p", "frames": 4}',
      ]),
    ).toBe(0);
  } finally {
    await sim.stop();
  }
  const successes = summary(out).successes;
  expect(successes.video.count.mean).toBe(1);
  expect(successes.video.frames.mean).toBe(4);
  expect(successes.image.count.max).toBe(0);
  // Four 360p image blocks per request (frames), each counted as an image by the server.
  const text = successes.prompt_len.min - 4 * imageTokens(640, 360);
  expect(text).toBeGreaterThanOrEqual(100);
  expect(text).toBeLessThanOrEqual(500);
}, 60_000);

test("shared_prefix.yaml sends each group's prefix image and frames, then the request's own image", async () => {
  const truth: TruthRecord[] = [];
  const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, onTruth: (r) => truth.push(r) });
  const out = join(dir, "shared-prefix");
  try {
    expect(await runExample("shared_prefix.yaml", sim.url, out)).toBe(0);
  } finally {
    await sim.stop();
  }
  expect(truth.length).toBe(8);
  // 200 + 50 text tokens, the prefix's 1080p image and 16 frames of 720p, the question's 720p image.
  const media = imageTokens(1920, 1080) + 17 * imageTokens(1280, 720);
  for (const r of truth) {
    // The frames cut the prefix once, and the simulator counts each text part on its own.
    expect(r.promptTokens - media).toBeGreaterThanOrEqual(250);
    expect(r.promptTokens - media).toBeLessThanOrEqual(254);
  }
  const successes = summary(out).successes;
  expect(successes.count).toBe(8);
  // Two images per request (the prefix's and the question's) and one video of 16 frames.
  expect(successes.image.count.mean).toBe(2);
  expect(successes.image.pixels.max).toBe(1920 * 1080);
  expect(successes.image.pixels.min).toBe(1280 * 720);
  expect(successes.video.count.mean).toBe(1);
  expect(successes.video.frames.mean).toBe(16);
  expect(successes.video.pixels.mean).toBe(1280 * 720);
  expect(successes.audio.count.max).toBe(0);
  expect(successes.throughput.images_per_sec).toBeCloseTo(2 * successes.throughput.requests_per_sec, 9);
  expect(successes.throughput.videos_per_sec).toBeCloseTo(successes.throughput.requests_per_sec, 9);
}, 60_000);
