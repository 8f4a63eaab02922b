import { describe, expect, test } from "bun:test";
import { type ContentPart, textOf } from "../media/content.ts";
import { fixtureTokenizer } from "./data.testing.ts";
import { fixedDistribution, resolveDistribution } from "./distribution.ts";
import type { Multimodal } from "./multimodal.ts";
import {
  createSharedPrefixMediaGenerator,
  prefixVariants,
  type SharedPrefixMediaOptions,
} from "./shared-prefix-media.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

const fixed = (n: number) => ({ type: "fixed", min: n, max: n, mean: n });

// Small geometries keep the pools cheap to encode; the shapes are upstream's.
const prefixMedia = {
  image: {
    count: fixed(1),
    insertion_point: 0,
    representation: "png",
    resolutions: [{ resolution: { width: 24, height: 16 }, weight: 1 }],
  },
  video: {
    count: fixed(1),
    insertion_point: 0.5,
    representation: "png_frames",
    profiles: [{ profile: { resolution: { width: 16, height: 16 }, frames: 3 }, weight: 1 }],
  },
  audio: null,
} as unknown as Multimodal;

const questionMedia = {
  image: {
    count: fixed(1),
    insertion_point: 1,
    representation: "png",
    resolutions: [{ resolution: { width: 32, height: 8 }, weight: 1 }],
  },
  video: null,
  audio: null,
} as unknown as Multimodal;

function options(over: Partial<SharedPrefixMediaOptions> = {}): SharedPrefixMediaOptions {
  return {
    tokenizer: defaultTokenizer(),
    numGroups: 3,
    numPromptsPerGroup: 4,
    systemPromptLen: fixedDistribution(40),
    questionLen: resolveDistribution({ type: "uniform", min: 5, max: 30 }),
    outputLen: fixedDistribution(16),
    seed: 21,
    prefixMedia,
    questionMedia,
    ...over,
  };
}

const all = (gen: DataGenerator, n = gen.size ?? 0): GeneratedRequest[] =>
  Array.from({ length: n }, (_, i) => gen.next(i));
const content = (item: GeneratedRequest) => item.messages[0]?.content as readonly ContentPart[];
const urls = (parts: readonly ContentPart[]) =>
  parts.flatMap((p) => (p.type === "image_url" ? [p.image_url.url] : []));
/** The parts up to and including the last prefix media block (the video's three frames come last). */
const prefixParts = (item: GeneratedRequest) => content(item).slice(0, 5);

describe("createSharedPrefixMediaGenerator()", () => {
  test("sends one user message: prefix image, prefix text cut by the video's frames, a space, question, its image", async () => {
    const item = (await createSharedPrefixMediaGenerator(options())).next(0);
    expect(item.messages.map((m) => m.role)).toEqual(["user"]);
    expect(content(item).map((p) => p.type)).toEqual([
      "image_url",
      "text",
      "image_url",
      "image_url",
      "image_url",
      "text",
      "image_url",
    ]);
    const [, first, , , , second] = content(item) as readonly { text?: string }[];
    // The prefix is cut at its middle character; its second half and the question share a text part.
    expect(first?.text?.length).toBeGreaterThan(0);
    expect(second?.text).toContain(" ");
    expect(textOf(content(item))).toBe(item.prompt);
  });

  test("every request of a group carries its prefix media byte for byte; other groups other bytes", async () => {
    const items = all(await createSharedPrefixMediaGenerator(options()));
    const byPrefix = new Map<string, Set<string>>();
    for (const item of items) {
      const prefixText = (content(item)[1] as { text: string }).text;
      const set = byPrefix.get(prefixText) ?? new Set();
      set.add(JSON.stringify(prefixParts(item)));
      byPrefix.set(prefixText, set);
    }
    expect(byPrefix.size).toBe(3);
    for (const set of byPrefix.values()) expect(set.size).toBe(1);
    const imageOf = (set: Set<string>) => (JSON.parse([...set][0] as string) as ContentPart[])[0];
    const groupImages = new Set([...byPrefix.values()].map((set) => JSON.stringify(imageOf(set))));
    expect(groupImages.size).toBe(3);
  });

  test("question media are drawn per request from (seed, index): any call order, the same bytes", async () => {
    const a = await createSharedPrefixMediaGenerator(options());
    const b = await createSharedPrefixMediaGenerator(options());
    const forward = [0, 1, 2, 3, 13].map((i) => a.next(i));
    const backward = [13, 3, 2, 1, 0].map((i) => b.next(i)).reverse();
    expect(backward).toEqual(forward);
    // Request 12 is prompt 0 again (12 prompts): the same text and prefix, its own question media draw.
    const again = a.next(12);
    expect(again.prompt).toBe(forward[0]?.prompt as string);
    expect(prefixParts(again)).toEqual(prefixParts(forward[0]!));
    const other = await createSharedPrefixMediaGenerator(options({ seed: 22 }));
    expect(urls(content(other.next(0)))).not.toEqual(urls(content(forward[0]!)));
  });

  test("media are measured per request: the prefix's (an image and a 3-frame video), then the question's", async () => {
    const item = (await createSharedPrefixMediaGenerator(options())).next(5);
    expect(item.media?.map((m) => [m.kind, m.pixels, m.frames])).toEqual([
      ["image", 24 * 16, 0],
      ["video", 16 * 16, 3],
      ["image", 32 * 8, 0],
    ]);
    expect(item.expectedPromptTokens).toBeUndefined();
    expect(item.maxTokens).toBe(16);
  });

  test("without question media the question is a text part; without prefix media the prefix is one", async () => {
    const noQuestion = (await createSharedPrefixMediaGenerator(options({ questionMedia: null }))).next(0);
    expect(
      content(noQuestion)
        .map((p) => p.type)
        .at(-1),
    ).toBe("text");
    expect(noQuestion.media).toHaveLength(2);
    const noPrefix = (await createSharedPrefixMediaGenerator(options({ prefixMedia: null }))).next(0);
    expect(content(noPrefix).map((p) => p.type)).toEqual(["text", "image_url"]);
    expect(noPrefix.media).toHaveLength(1);
  });
});

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
])("under %s", (_name, tokenizer: () => Tokenizer) => {
  test("the text parts are exactly system_prompt_len + question_len tokens, as shared_prefix's", async () => {
    const tok = tokenizer();
    const gen = await createSharedPrefixMediaGenerator(
      options({ tokenizer: tok, questionLen: fixedDistribution(33) }),
    );
    for (const item of all(gen)) {
      expect(tok.count(textOf(content(item)))).toBe(73);
      expect(item.clientPromptTokens).toBe(73);
    }
  });
});

test("a zero-length system prompt leaves the prefix media, a space, then the question", async () => {
  const item = (
    await createSharedPrefixMediaGenerator(
      options({ systemPromptLen: fixedDistribution(0), prefixMedia: { ...prefixMedia, video: null } }),
    )
  ).next(0);
  expect(content(item).map((p) => p.type)).toEqual(["image_url", "text", "text", "image_url"]);
  expect((content(item)[1] as { text: string }).text).toBe(" ");
});

describe("prefixVariants()", () => {
  test("keeps one variant per group use while the encoding budget allows", () => {
    const key = { kind: "image", format: "png", width: 1920, height: 1080 } as const;
    expect(prefixVariants(key, 5)).toBe(5);
    expect(prefixVariants(key, 500)).toBe(61);
  });

  test("JPEG and frame sequences cost more per pixel, MP4 less; audio is always one clip", () => {
    expect(prefixVariants({ kind: "image", format: "jpeg", width: 1920, height: 1080 }, 500)).toBe(8);
    const frames = {
      kind: "video",
      representation: "png_frames",
      width: 1280,
      height: 720,
      frames: 16,
    } as const;
    expect(prefixVariants(frames, 500)).toBe(8);
    expect(prefixVariants({ ...frames, representation: "mp4" }, 500)).toBe(26);
    expect(prefixVariants({ kind: "audio", seconds: 5 }, 50)).toBe(1);
  });
});
