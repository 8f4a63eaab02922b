// cnn_dailymail, billsum_conversations, infinity_instruct and visionarena: rows from a local file (JSON
// lines or Parquet) or from a Hugging Face cache the test builds, the request shapes upstream sends, and
// the offline message when neither is there.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { createRng } from "../load/rng.ts";
import { encodeSolidImage } from "../media/image.ts";
import { createDataGenerator } from "./create.ts";
import { dataConfig, failure } from "./data.testing.ts";
import { ensureHubDataset } from "./dataset-source.ts";
import type { FetchLike } from "./hub.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";
import { type VisionArenaRow, visionArenaParquet } from "./visionarena.testing.ts";

const work = mkdtempSync(join(tmpdir(), "inferload-datasets-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const noNetwork: FetchLike = async () => {
  throw new TypeError("no network in this test");
};
const tokenizer = defaultTokenizer();

function jsonl(name: string, rows: unknown[]): string {
  const path = join(work, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n"));
  return path;
}

async function generator(data: Record<string, unknown>, api: string, env: Record<string, string> = {}) {
  return createDataGenerator(dataConfig(data, { api }), {
    tokenizer,
    rng: createRng(1),
    workerId: 0,
    env,
    fetch: noNetwork,
    log: { info() {}, warn() {} },
  });
}

describe("cnn_dailymail", () => {
  const path = jsonl("cnn.jsonl", [
    { article: "Short.", highlights: "x" },
    { article: "A longer article about the weather in the city today.", highlights: "Rain, then sun later." },
  ]);

  test("asks for the highlights' length with the article as the prompt, skipping rows outside the filters", async () => {
    const gen = await generator(
      { type: "cnn_dailymail", path, input_distribution: { min: 5, max: 100, mean: 10 } },
      "completion",
    );
    const item = gen.next(0);
    expect(item.prompt).toStartWith("A longer article");
    expect(item.maxTokens).toBe(tokenizer.count("Rain, then sun later."));
    expect(gen.next(1).prompt).toBe(item.prompt);
  });

  test("without data.path and offline, says to set data.path and where the cache is", async () => {
    const cache = join(work, "empty-hub");
    const error = await failure(
      generator({ type: "cnn_dailymail" }, "completion", { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" }),
    );
    expect(error.message).toBe(
      "Cannot load the cnn_dailymail dataset (data.path is not set): not in the cache",
    );
    expect(error.details.join(" ")).toContain("set data.path");
    expect(error.details.join(" ")).toContain(join(cache, "datasets--abisee--cnn_dailymail"));
  });

  test("downloads the split's first file into the Hugging Face cache once, then reads it offline", async () => {
    const cache = join(work, "cnn-hub");
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "article", data: ["From the hub: an article long enough to pass."] },
        { name: "highlights", data: ["A summary."] },
      ],
    });
    const calls: string[] = [];
    const hub: FetchLike = async (url) => {
      calls.push(url);
      if (url.includes("/api/datasets/abisee/cnn_dailymail/tree/main/3.0.0")) {
        return Response.json([
          { type: "file", path: "3.0.0/test-00000-of-00001.parquet" },
          { type: "file", path: "3.0.0/train-00001-of-00003.parquet" },
          { type: "file", path: "3.0.0/train-00000-of-00003.parquet" },
        ]);
      }
      if (url.endsWith("/datasets/abisee/cnn_dailymail/resolve/main/3.0.0/train-00000-of-00003.parquet")) {
        return new Response(parquet, { headers: { "x-repo-commit": "a".repeat(40), etag: '"cafe"' } });
      }
      return new Response("", { status: 404 });
    };
    const data = dataConfig({ type: "cnn_dailymail" }).data;
    await ensureHubDataset(data, { env: { HF_HUB_CACHE: cache }, fetch: hub });
    expect(calls.length).toBe(2);
    const gen = await generator({ type: "cnn_dailymail" }, "completion", {
      HF_HUB_CACHE: cache,
      HF_HUB_OFFLINE: "1",
    });
    expect(gen.next(0).prompt).toBe("From the hub: an article long enough to pass.");
  });
});

describe("billsum_conversations and infinity_instruct", () => {
  const conversations = [
    {
      conversations: [
        { from: "human", value: "Summarise the bill." },
        { from: "gpt", value: "It funds roads." },
      ],
    },
  ];

  test("billsum over completion: the first turn asks for the second turn's length", async () => {
    const gen = await generator(
      { type: "billsum_conversations", path: jsonl("b.jsonl", conversations) },
      "completion",
    );
    expect(gen.next(0)).toMatchObject({
      prompt: "Summarise the bill.",
      maxTokens: tokenizer.count("It funds roads."),
    });
  });

  test("billsum over chat sends every turn with OpenAI roles and no max_tokens", async () => {
    const gen = await generator(
      { type: "billsum_conversations", path: jsonl("b2.jsonl", conversations) },
      "chat",
    );
    const item = gen.next(0);
    expect(item.messages).toEqual([
      { role: "user", content: "Summarise the bill." },
      { role: "assistant", content: "It funds roads." },
    ]);
    expect(item.maxTokens).toBeUndefined();
  });

  test("infinity_instruct over completion answers the last gpt turn from the others joined", async () => {
    const rows = [
      {
        conversations: [
          { from: "human", value: "Hi." },
          { from: "gpt", value: "Hello." },
          { from: "human", value: "Count to three." },
          { from: "gpt", value: "One, two, three." },
        ],
      },
    ];
    const gen = await generator({ type: "infinity_instruct", path: jsonl("i.jsonl", rows) }, "completion");
    expect(gen.next(0)).toMatchObject({
      prompt: "Hi.\nHello.\nCount to three.",
      maxTokens: tokenizer.count("One, two, three."),
    });
  });

  test("a path is required, as upstream", async () => {
    const error = await failure(generator({ type: "infinity_instruct" }, "chat"));
    expect(error.message).toContain(
      'data.path: expected a JSON, JSON lines or Parquet file or folder for data.type "infinity_instruct"',
    );
  });
});

describe("visionarena", () => {
  const png = encodeSolidImage(40, 30, [1, 2, 3], "png");
  const jpeg = encodeSolidImage(20, 10, [4, 5, 6], "jpeg");
  const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0]);

  /** VisionArena-Chat's shape (lib/data/visionarena.testing.ts), with rows the reader must skip. */
  function visionParquet(): Uint8Array {
    const rows: VisionArenaRow[] = [
      {
        conversation: [[{ role: "user", content: "What colour is this?" }]],
        images: [{ bytes: png, path: "a.png" }],
      },
      {
        conversation: [[{ role: "assistant", content: "no user turn" }]],
        images: [{ bytes: png, path: "b.png" }],
      },
      {
        conversation: [[{ role: "user", content: "And this GIF?" }]],
        images: [{ bytes: gif, path: "c.gif" }],
      },
      {
        conversation: [
          [{ role: "user", content: "Two pictures." }],
          [{ role: "assistant", content: "Yes." }],
        ],
        images: [
          { bytes: jpeg, path: "d.jpg" },
          { bytes: png, path: "e.png" },
        ],
      },
    ];
    return visionArenaParquet(rows);
  }

  /** The layout `huggingface-cli download --repo-type dataset lmarena-ai/VisionArena-Chat` leaves. */
  function visionCache(): string {
    const cache = join(work, "vision-hub");
    const root = join(cache, "datasets--lmarena-ai--VisionArena-Chat");
    const commit = "b".repeat(40);
    mkdirSync(join(root, "refs"), { recursive: true });
    mkdirSync(join(root, "snapshots", commit, "data"), { recursive: true });
    writeFileSync(join(root, "refs", "main"), commit);
    writeFileSync(join(root, "snapshots", commit, "data", "train-00000-of-00001.parquet"), visionParquet());
    return cache;
  }

  test("reads rows from the Hugging Face cache offline; images go first as data URLs, as they are", async () => {
    const gen = await generator({ type: "visionarena", visionarena: { max_images_per_request: 2 } }, "chat", {
      HF_HUB_CACHE: visionCache(),
      HF_HUB_OFFLINE: "1",
    });
    expect(gen.size).toBe(2); // no user turn, or only a GIF: skipped
    const first = gen.next(0);
    const content = first.messages[0]?.content as {
      type: string;
      image_url?: { url: string };
      text?: string;
    }[];
    expect(content.map((p) => p.type)).toEqual(["image_url", "text"]);
    expect(content[0]?.image_url?.url).toBe(`data:image/png;base64,${Buffer.from(png).toString("base64")}`);
    expect(content[1]?.text).toBe("What colour is this?");
    expect(first.media).toEqual([
      { kind: "image", pixels: 1200, bytes: png.length, aspectRatio: 40 / 30, frames: 0, seconds: 0 },
    ]);
    const second = gen.next(1);
    expect(second.media?.map((m) => m.pixels)).toEqual([200, 1200]);
    const parts = (second.messages[0]?.content ?? []) as readonly { image_url?: { url: string } }[];
    expect(parts[0]?.image_url?.url ?? "").toStartWith("data:image/jpeg;base64,");
  });

  test("num_rows bounds the pool and max_images_per_request the images of a row", async () => {
    const path = join(work, "va.parquet");
    writeFileSync(path, visionParquet());
    const gen = await generator({ type: "visionarena", path, visionarena: { num_rows: 1 } }, "chat");
    expect(gen.size).toBe(1);
    expect(gen.next(5).media?.length).toBe(1);
  });

  test("offline without the dataset in the cache, the message says to set data.path", async () => {
    const error = await failure(
      generator({ type: "visionarena", visionarena: {} }, "chat", {
        HF_HUB_CACHE: join(work, "nothing"),
        HF_HUB_OFFLINE: "1",
      }),
    );
    expect(error.message).toBe(
      "Cannot load the visionarena dataset (data.path is not set): not in the cache",
    );
  });
});
