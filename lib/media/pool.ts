// The seeded media pool: every distinct geometry a config can ask for (an image size and format, a
// video profile and representation, an audio duration) encoded a few times over, once, before the load
// starts. Requests then pick a variant by index (seeded), so a 1080p image or a 32-frame video costs
// nothing per request: its parts hold the same base64 strings, which the body builder serialises.
// Deterministic given the seed: every Worker builds the same pool.
import { Buffer } from "node:buffer";
import { createRng, type Rng } from "../load/rng.ts";
import type { MediaInstance } from "../record/record.ts";
import { encodeSilentWav } from "./audio.ts";
import type { ContentPart } from "./content.ts";
import type { SolidFrame } from "./h264.ts";
import { encodeSolidImage, IMAGE_MIME, type ImageFormat, type Rgb } from "./image.ts";
import { encodeSolidMp4 } from "./mp4.ts";

export type VideoRepresentation = "mp4" | "png_frames" | "jpeg_frames";

export type MediaKey =
  | { kind: "image"; format: ImageFormat; width: number; height: number }
  | { kind: "video"; representation: VideoRepresentation; width: number; height: number; frames: number }
  | { kind: "audio"; seconds: number };

/** What one pooled item puts in a request: its content parts and its measurements. */
export interface PooledMedia {
  parts: readonly ContentPart[];
  instance: MediaInstance;
}

export function keyName(key: MediaKey): string {
  switch (key.kind) {
    case "image":
      return `image/${key.format}/${key.width}x${key.height}`;
    case "video":
      return `video/${key.representation}/${key.width}x${key.height}x${key.frames}`;
    case "audio":
      return `audio/${key.seconds}`;
  }
}

/**
 * Distinct encodings kept per geometry. Images: 8 (large JPEGs fewer: jpeg-js needs ~0.3 s per
 * megapixel); MP4: 4, as inference-perf's video pool; frame sequences: as many as ~64 megapixels of
 * frames allow, 1 to 4; audio: 1, since inference-perf's clips are silence and so identical anyway.
 */
export function defaultVariants(key: MediaKey): number {
  const clamp = (n: number, max: number) => Math.max(1, Math.min(max, Math.floor(n)));
  switch (key.kind) {
    case "image":
      return key.format === "png" ? 8 : clamp(8e6 / (key.width * key.height), 8);
    case "video":
      return key.representation === "mp4" ? 4 : clamp(64e6 / (key.width * key.height * key.frames), 4);
    case "audio":
      return 1;
  }
}

export class MediaPool {
  #items = new Map<string, PooledMedia[]>();

  /** Variant `variant` (taken modulo the count) of the geometry named `key` (keyName). */
  get(key: string, variant: number): PooledMedia {
    const items = this.#items.get(key);
    if (items === undefined) throw new RangeError(`No media pooled for "${key}"`);
    return items[variant % items.length] as PooledMedia;
  }

  variants(key: string): number {
    return this.#items.get(key)?.length ?? 0;
  }

  /** Encoded bytes held, for the start-up log. */
  get bytes(): number {
    let total = 0;
    for (const items of this.#items.values()) for (const item of items) total += item.instance.bytes;
    return total;
  }

  set(key: string, items: PooledMedia[]): void {
    this.#items.set(key, items);
  }
}

/** Encodes every variant of every key (duplicates once). */
export async function buildMediaPool(
  keys: readonly MediaKey[],
  seed: number,
  variants: (key: MediaKey) => number = defaultVariants,
): Promise<MediaPool> {
  const pool = new MediaPool();
  for (const key of keys) {
    const name = keyName(key);
    if (pool.variants(name) > 0) continue;
    const items: PooledMedia[] = [];
    const n = variants(key);
    for (let v = 0; v < n; v++) items.push(await encode(key, createRng((seed ^ fnv(name)) + v * 0x9e3779b1)));
    pool.set(name, items);
  }
  return pool;
}

async function encode(key: MediaKey, rng: Rng): Promise<PooledMedia> {
  switch (key.kind) {
    case "image": {
      const bytes = encodeSolidImage(key.width, key.height, randomRgb(rng), key.format);
      return {
        parts: [imagePart(key.format, bytes)],
        instance: visual("image", key.width, key.height, bytes.length, 0),
      };
    }
    case "video": {
      if (key.representation === "mp4") {
        const video = await encodeSolidMp4(key.width, key.height, videoFrames(key.frames, rng));
        const url = `data:video/mp4;base64,${Buffer.from(video.bytes).toString("base64")}`;
        return {
          parts: [{ type: "video_url", video_url: { url } }],
          // The declared geometry, as inference-perf reports it (the stream itself is even-sized).
          instance: visual("video", key.width, key.height, video.bytes.length, key.frames),
        };
      }
      // Frames: one image block per frame, each a colour of its own, all at one insertion point.
      const format: ImageFormat = key.representation === "jpeg_frames" ? "jpeg" : "png";
      const parts: ContentPart[] = [];
      let bytes = 0;
      for (let f = 0; f < key.frames; f++) {
        const frame = encodeSolidImage(key.width, key.height, randomRgb(rng), format);
        bytes += frame.length;
        parts.push(imagePart(format, frame));
      }
      return { parts, instance: visual("video", key.width, key.height, bytes, key.frames) };
    }
    case "audio": {
      const bytes = encodeSilentWav(key.seconds);
      return {
        parts: [
          {
            type: "input_audio",
            input_audio: { data: Buffer.from(bytes).toString("base64"), format: "wav" },
          },
        ],
        instance: {
          kind: "audio",
          pixels: 0,
          bytes: bytes.length,
          aspectRatio: 0,
          frames: 0,
          seconds: key.seconds,
        },
      };
    }
  }
}

function imagePart(format: ImageFormat, bytes: Uint8Array): ContentPart {
  const url = `data:${IMAGE_MIME[format]};base64,${Buffer.from(bytes).toString("base64")}`;
  return { type: "image_url", image_url: { url } };
}

function visual(
  kind: "image" | "video",
  width: number,
  height: number,
  bytes: number,
  frames: number,
): MediaInstance {
  return {
    kind,
    pixels: width * height,
    bytes,
    aspectRatio: height > 0 ? width / height : 0,
    frames,
    seconds: 0,
  };
}

function randomRgb(rng: Rng): Rgb {
  return [rng.int(256), rng.int(256), rng.int(256)];
}

/**
 * A random colour as H.264 DC levels, then inference-perf's per-frame offset ((i·7) mod 32, in luma)
 * so consecutive frames differ. Levels stay within ±1 of zero never (the encoder needs |level| ≥ 2).
 */
function videoFrames(count: number, rng: Rng): SolidFrame[] {
  const level = (lo: number, hi: number) => {
    const l = lo + rng.int(hi - lo + 1);
    return Math.abs(l) < 2 ? 2 : l;
  };
  const luma = level(-130, 100);
  const cb = level(-70, 70);
  const cr = level(-70, 70);
  return Array.from({ length: count }, (_, i) => {
    const y = luma + ((i * 7) % 32);
    return { luma: Math.abs(y) < 2 ? 2 : y, cb, cr };
  });
}

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
