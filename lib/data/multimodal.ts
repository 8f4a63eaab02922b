// data.multimodal with data.type "synthetic" (inference-perf's MultimodalDataGenerator): a random-token
// text prompt, and per request a sampled number of images, videos and audio clips woven into it at their
// insertion points, in the OpenAI chat content shape. The media come from a seeded pool built once
// (lib/media/pool.ts); sampling here is pure and depends on (seed, request index) only.
import type { Config } from "../config/schema.ts";
import type { Rng } from "../load/rng.ts";
import { type Placed, weave } from "../media/content.ts";
import {
  buildMediaPool,
  keyName,
  type MediaKey,
  type MediaPool,
  type PooledMedia,
  type VideoRepresentation,
} from "../media/pool.ts";
import type { MediaInstance } from "../record/record.ts";
import { indexRng } from "./_seed.ts";
import { type Distribution, resolveDistribution, sampleFromDistribution } from "./distribution.ts";
import type { DataGenerator } from "./types.ts";

export type Multimodal = NonNullable<Config["data"]["multimodal"]>;
type Resolution = "4k" | "1080p" | "720p" | "360p" | { width: number; height: number };

const PRESETS: Record<string, [number, number]> = {
  "4k": [3840, 2160],
  "1080p": [1920, 1080],
  "720p": [1280, 720],
  "360p": [640, 360],
};

/** inference-perf's defaults when a modality names no sizes. */
const DEFAULT_IMAGE: [number, number] = [512, 512];
const DEFAULT_VIDEO = { width: 512, height: 512, frames: 10 };
const DEFAULT_AUDIO_SECONDS = 1;

export interface Modality {
  count: Distribution;
  countPath: string;
  /** null: uniform over [0, 1] (upstream's default); a number; or a distribution, clamped to [0, 1]. */
  point: number | Distribution | null;
  choices: { key: MediaKey; weight: number }[];
}

/**
 * The modalities a config asks for, in upstream's order (images, videos, audio); none without a count.
 * `at` is the section's config path, for messages.
 */
export function resolveModalities(mm: Multimodal, at = "data.multimodal"): Modality[] {
  const out: Modality[] = [];
  const point = (p: unknown, path: string): Modality["point"] =>
    p === null || typeof p === "number" ? p : resolveDistribution(p as object, path);
  const weighted = <T, K extends string>(value: T | ({ weight: number } & Record<K, T>)[] | null, key: K) =>
    value === null
      ? null
      : Array.isArray(value)
        ? value.map((w) => ({ value: w[key] as T, weight: w.weight }))
        : [{ value, weight: 1 }];
  const size = (r: Resolution): [number, number] =>
    typeof r === "string" ? PRESETS[r]! : [r.width, r.height];

  if (mm.image?.count) {
    const format = mm.image.representation;
    const sizes = weighted<Resolution, "resolution">(mm.image.resolutions, "resolution") ?? [
      { value: { width: DEFAULT_IMAGE[0], height: DEFAULT_IMAGE[1] }, weight: 1 },
    ];
    out.push({
      count: resolveDistribution(mm.image.count, `${at}.image.count`),
      countPath: `${at}.image.count`,
      point: point(mm.image.insertion_point, `${at}.image.insertion_point`),
      choices: sizes.map(({ value, weight }) => {
        const [width, height] = size(value);
        return { key: { kind: "image", format, width, height }, weight };
      }),
    });
  }
  if (mm.video?.count) {
    const representation: VideoRepresentation =
      mm.video.representation === "frames" ? "png_frames" : mm.video.representation;
    type Profile = { resolution: Resolution; frames: number };
    const profiles = weighted<Profile, "profile">(mm.video.profiles, "profile") ?? [
      { value: { resolution: DEFAULT_VIDEO, frames: DEFAULT_VIDEO.frames }, weight: 1 },
    ];
    out.push({
      count: resolveDistribution(mm.video.count, `${at}.video.count`),
      countPath: `${at}.video.count`,
      point: point(mm.video.insertion_point, `${at}.video.insertion_point`),
      choices: profiles.map(({ value, weight }) => {
        const [width, height] = size(value.resolution);
        return { key: { kind: "video", representation, width, height, frames: value.frames }, weight };
      }),
    });
  }
  if (mm.audio?.count) {
    const durations = weighted<number, "duration">(mm.audio.durations, "duration") ?? [
      { value: DEFAULT_AUDIO_SECONDS, weight: 1 },
    ];
    out.push({
      count: resolveDistribution(mm.audio.count, `${at}.audio.count`),
      countPath: `${at}.audio.count`,
      point: point(mm.audio.insertion_point, `${at}.audio.insertion_point`),
      choices: durations.map(({ value, weight }) => ({ key: { kind: "audio", seconds: value }, weight })),
    });
  }
  return out;
}

/** Every geometry the modalities can draw: what the pool must hold. */
export function poolKeys(modalities: readonly Modality[]): MediaKey[] {
  return modalities.flatMap((m) => m.choices.map((c) => c.key));
}

export interface MultimodalOptions {
  multimodal: Multimodal;
  /** The text side: random-token prompts of the configured lengths (chat messages). */
  text: DataGenerator;
  seed: number;
  /** A ready pool (tests); built from the config otherwise. */
  pool?: MediaPool | undefined;
}

export async function createMultimodalGenerator(opts: MultimodalOptions): Promise<DataGenerator> {
  const modalities = resolveModalities(opts.multimodal);
  const pool = opts.pool ?? (await buildMediaPool(poolKeys(modalities), opts.seed));
  checkCounts(modalities, opts.seed);
  return {
    type: "synthetic",
    size: opts.text.size,
    next(index) {
      const base = opts.text.next(index);
      const { blocks, media } = placed(drawMedia(modalities, indexRng(opts.seed, index, 7), pooled(pool)));
      const text = base.prompt;
      return {
        prompt: text,
        messages: [{ role: "user", content: weave(text, blocks) }],
        maxTokens: base.maxTokens,
        // The server counts the media too; the text count no longer predicts its prompt_tokens.
        expectedPromptTokens: undefined,
        media: media.length > 0 ? media : undefined,
      };
    },
  };
}

/**
 * Draws, per modality, a count, then per item a geometry (weighted), what `take` makes of it (a pooled
 * item, which may draw a variant) and an insertion point: upstream's order, on one RNG.
 */
export function drawMedia<T>(
  modalities: readonly Modality[],
  rng: Rng,
  take: (key: MediaKey, rng: Rng) => T,
): { item: T; point: number }[] {
  const drawn: { item: T; point: number }[] = [];
  for (const m of modalities) {
    const count = sampleFromDistribution(m.count, 1, rng, m.countPath)[0] as number;
    for (let i = 0; i < count; i++) {
      const item = take(pick(m.choices, rng).key, rng);
      drawn.push({ item, point: samplePoint(m.point, rng) });
    }
  }
  return drawn;
}

/** Drawn pooled items as blocks to weave into a text, and their measures for the report. */
export function placed(drawn: readonly { item: PooledMedia; point: number }[]): {
  blocks: Placed[];
  media: MediaInstance[];
} {
  return {
    blocks: drawn.map(({ item, point }) => ({ parts: item.parts, point })),
    media: drawn.map(({ item }) => item.instance),
  };
}

/** A variant of `key`'s pooled items, drawn with the request's RNG. */
export function pooled(pool: MediaPool): (key: MediaKey, rng: Rng) => PooledMedia {
  return (key, rng) => {
    const name = keyName(key);
    return pool.get(name, rng.int(pool.variants(name)));
  };
}

/** Fails at start, not on the first request, on a count distribution the sampler refuses. */
export function checkCounts(modalities: readonly Modality[], seed: number): void {
  for (const m of modalities) sampleFromDistribution(m.count, 1, indexRng(seed, 0, 7), m.countPath);
}

/** Weighted choice (weights need not sum to 1); all weights 0 picks the first, as upstream. */
function pick<T extends { weight: number }>(choices: readonly T[], rng: Rng): T {
  const total = choices.reduce((s, c) => s + c.weight, 0);
  if (!(total > 0)) return choices[0] as T;
  let u = rng.next() * total;
  for (const c of choices) {
    if (u < c.weight) return c;
    u -= c.weight;
  }
  return choices[choices.length - 1] as T;
}

/**
 * An insertion point in [0, 1]. A distribution draws a real number (not rounded as lengths are):
 * uniform over [min, max], normal N(mean, sd), fixed its mean; any other type its mean. Then clamped.
 */
export function samplePoint(point: number | Distribution | null, rng: Rng): number {
  if (point === null) return rng.next();
  if (typeof point === "number") return point;
  const { min, max, mean, stdDev, type } = point;
  let x: number;
  if (type === "uniform") x = min + (max - min) * rng.next();
  else if (type === "normal" && stdDev > 0) x = mean + stdDev * rng.normal();
  else x = mean;
  return Math.max(0, Math.min(1, Math.max(min, Math.min(max, x))));
}
