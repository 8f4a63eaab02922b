// data.type "visionarena" (inference-perf's VisionArenaDataGenerator): real prompts and images from
// lmarena-ai/VisionArena-Chat rows. A pool of up to num_rows usable rows (a user turn and at least one
// PNG, JPEG or WebP image, up to max_images_per_request, bytes sent as they are) is built once; request i
// is row i mod the pool, its images placed at insertion_point (0: before the text). Pure given its rows.
import { Buffer } from "node:buffer";
import type { Rng } from "../load/rng.ts";
import { type Placed, weave } from "../media/content.ts";
import { imageSize } from "../media/probe.ts";
import type { MediaInstance } from "../record/record.ts";
import { indexRng } from "./_seed.ts";
import type { Row } from "./dataset-rows.ts";
import type { Distribution } from "./distribution.ts";
import { samplePoint } from "./multimodal.ts";
import type { DataGenerator } from "./types.ts";

export interface VisionArenaOptions {
  rows: readonly Row[];
  numRows: number;
  maxImagesPerRequest: number;
  insertionPoint: number | Distribution | null;
  seed: number;
}

interface Entry {
  prompt: string;
  images: { url: string; instance: MediaInstance }[];
}

/** The pool's rows (the caller reports how many were skipped). */
export function visionArenaPool(rows: readonly Row[], numRows: number, maxImages: number): Entry[] {
  const pool: Entry[] = [];
  for (const row of rows) {
    if (pool.length >= numRows) break;
    const prompt = firstUserTurn(row.conversation);
    if (prompt === null || !Array.isArray(row.images)) continue;
    const images: Entry["images"] = [];
    for (const image of row.images.slice(0, maxImages)) {
      const bytes = imageBytes(image);
      const mime = bytes === null ? null : mimeOf(bytes);
      const size = bytes === null ? null : imageSize(bytes);
      if (bytes === null || mime === null || size === null) continue; // other formats are skipped, as upstream
      images.push({
        url: `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`,
        instance: {
          kind: "image",
          pixels: size.width * size.height,
          bytes: bytes.length,
          aspectRatio: size.height > 0 ? size.width / size.height : 0,
          frames: 0,
          seconds: 0,
        },
      });
    }
    if (images.length > 0) pool.push({ prompt, images });
  }
  return pool;
}

export function createVisionArenaGenerator(opts: VisionArenaOptions): DataGenerator {
  const pool = visionArenaPool(opts.rows, opts.numRows, opts.maxImagesPerRequest);
  if (pool.length === 0) {
    throw new RangeError("no usable row: each needs a user turn and at least one PNG, JPEG or WebP image");
  }
  return {
    type: "visionarena",
    size: pool.length,
    next(index) {
      const entry = pool[index % pool.length] as Entry;
      const rng: Rng = indexRng(opts.seed, index, 9);
      const blocks: Placed[] = entry.images.map((image) => ({
        parts: [{ type: "image_url", image_url: { url: image.url } }],
        point: samplePoint(opts.insertionPoint, rng),
      }));
      return {
        prompt: entry.prompt,
        messages: [{ role: "user", content: weave(entry.prompt, blocks) }],
        maxTokens: undefined,
        expectedPromptTokens: undefined,
        media: entry.images.map((image) => image.instance),
      };
    },
  };
}

/** The first user turn: `conversation` is a list of turns, each a list of {role, content} (or one such). */
function firstUserTurn(conversation: unknown): string | null {
  if (!Array.isArray(conversation)) return null;
  for (const turn of conversation) {
    for (const message of Array.isArray(turn) ? turn : [turn]) {
      if (message !== null && typeof message === "object") {
        const { role, content } = message as Record<string, unknown>;
        if (role === "user" && typeof content === "string" && content.trim() !== "") return content;
      }
    }
  }
  return null;
}

/** An undecoded dataset image: `{bytes}` (Parquet) or a base64 string of them (JSON copies). */
function imageBytes(image: unknown): Uint8Array | null {
  if (image === null || typeof image !== "object") return null;
  const bytes = (image as Record<string, unknown>).bytes;
  if (bytes instanceof Uint8Array) return bytes;
  if (typeof bytes === "string") return new Uint8Array(Buffer.from(bytes, "base64"));
  return null;
}

function mimeOf(b: Uint8Array): string | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8) return "image/jpeg";
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45)
    return "image/webp";
  return null;
}
