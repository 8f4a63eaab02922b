// What a media content part costs in prompt tokens, roughly as vLLM counts it for a Qwen2-VL /
// Qwen2-Audio style model: images resized to multiples of 28 px within a pixel budget, one token per
// 28x28 patch; videos the same per frame (a smaller budget) with two frames per temporal patch; audio 25
// tokens per second. The geometry comes from the payload's own headers (PNG, JPEG, WebP, MP4, WAV), read
// from base64 without decoding more than needed. Pure.
import { Buffer } from "node:buffer";
import { imageSize, mp4Info, wavSeconds } from "../media/probe.ts";

export type Modality = "image" | "video" | "audio";

export interface MediaCost {
  modality: Modality;
  tokens: number;
}

const PATCH = 28;
/** Qwen2-VL's image processor: min_pixels 56·56, max_pixels 12845056. */
const IMAGE_PIXELS = { min: 56 * 56, max: 12_845_056 };
/** Qwen2-VL's video frames: 128·28² to 768·28² pixels each, two frames per temporal patch. */
const VIDEO_PIXELS = { min: 128 * PATCH * PATCH, max: 768 * PATCH * PATCH };
const AUDIO_TOKENS_PER_SECOND = 25;
/** A part whose size cannot be read (a remote URL the simulator does not fetch): counted as 512x512. */
const UNKNOWN_SIZE = { width: 512, height: 512 };

/** Qwen2-VL smart_resize: the size the model sees, each side a multiple of 28, area within the budget. */
export function smartResize(width: number, height: number, budget: { min: number; max: number }) {
  let h = Math.max(PATCH, Math.round(height / PATCH) * PATCH);
  let w = Math.max(PATCH, Math.round(width / PATCH) * PATCH);
  if (h * w > budget.max) {
    const beta = Math.sqrt((height * width) / budget.max);
    h = Math.max(PATCH, Math.floor(height / beta / PATCH) * PATCH);
    w = Math.max(PATCH, Math.floor(width / beta / PATCH) * PATCH);
  } else if (h * w < budget.min) {
    const beta = Math.sqrt(budget.min / (height * width));
    h = Math.ceil((height * beta) / PATCH) * PATCH;
    w = Math.ceil((width * beta) / PATCH) * PATCH;
  }
  return { width: w, height: h };
}

export function imageTokens(width: number, height: number): number {
  const r = smartResize(width, height, IMAGE_PIXELS);
  return (r.width / PATCH) * (r.height / PATCH);
}

export function videoTokens(width: number, height: number, frames: number): number {
  const r = smartResize(width, height, VIDEO_PIXELS);
  return Math.ceil(frames / 2) * (r.width / PATCH) * (r.height / PATCH);
}

export function audioTokens(seconds: number): number {
  return Math.max(1, Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND));
}

/** The payload bytes of a `data:…;base64,` URL (the first `limit` bytes at most), or null for any other URL. */
export function dataUrlBytes(url: string, limit = Number.POSITIVE_INFINITY): Uint8Array | null {
  if (!url.startsWith("data:")) return null;
  const comma = url.indexOf(",");
  if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) return null;
  const chars = Number.isFinite(limit) ? Math.ceil(limit / 3) * 4 : url.length;
  return base64(url.slice(comma + 1, comma + 1 + chars));
}

export function base64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** The cost of an `image_url` part; a size that cannot be read counts as 512x512. */
export function imageCost(url: string): MediaCost {
  const size = imageSize(dataUrlBytes(url, 65536)) ?? UNKNOWN_SIZE;
  return { modality: "image", tokens: imageTokens(size.width, size.height) };
}

/** The cost of a `video_url` part: an MP4's track size and sample count; unreadable: 512x512, 16 frames. */
export function videoCost(url: string): MediaCost {
  const info = mp4Info(dataUrlBytes(url)) ?? { ...UNKNOWN_SIZE, frames: 16 };
  return { modality: "video", tokens: videoTokens(info.width, info.height, info.frames) };
}

/** The cost of an `input_audio` part: a WAV's duration from its header; unreadable: one second. */
export function audioCost(data: string): MediaCost {
  const seconds = wavSeconds(base64(data.slice(0, 4096)), (data.length * 3) / 4) ?? 1;
  return { modality: "audio", tokens: audioTokens(seconds) };
}
