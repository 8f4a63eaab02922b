// What a media content part costs in prompt tokens, roughly as vLLM counts it for a Qwen2-VL /
// Qwen2-Audio style model: images resized to multiples of 28 px within a pixel budget, one token per
// 28x28 patch; videos the same per frame (a smaller budget) with two frames per temporal patch; audio 25
// tokens per second. The geometry comes from the payload's own headers (PNG, JPEG, WebP, MP4, WAV), read
// from base64 without decoding more than needed. Pure.
import { Buffer } from "node:buffer";

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

/** Width and height from a PNG, JPEG or WebP header; null for anything else. */
export function imageSize(b: Uint8Array | null): { width: number; height: number } | null {
  if (b === null || b.length < 24) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the markers to the first start-of-frame (SOF0-SOF15 but DHT/JPG/DAC).
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1] as number;
      const length = view.getUint16(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
      }
      at += 2 + length;
    }
    return null;
  }
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP" && b.length >= 30) {
    const kind = ascii(b, 12, 4);
    if (kind === "VP8 ")
      return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    if (kind === "VP8L") {
      const bits = view.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (kind === "VP8X") {
      const u24 = (o: number) =>
        (b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16);
      return { width: u24(24) + 1, height: u24(27) + 1 };
    }
  }
  return null;
}

/** An MP4's first video track: size from its visual sample entry, frames from its sample count. */
export function mp4Info(b: Uint8Array | null): { width: number; height: number; frames: number } | null {
  if (b === null) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let size: { width: number; height: number } | null = null;
  let frames: number | null = null;
  const containers = new Set(["moov", "trak", "mdia", "minf", "stbl"]);
  const walk = (start: number, end: number): void => {
    let at = start;
    while (at + 8 <= end && (size === null || frames === null)) {
      let length = view.getUint32(at);
      const type = ascii(b, at + 4, 4);
      if (length === 1 && at + 16 <= end) length = Number(view.getBigUint64(at + 8));
      else if (length === 0) length = end - at;
      if (length < 8 || at + length > end) return;
      if (containers.has(type)) walk(at + 8, at + length);
      else if (type === "stsd" && size === null && at + 16 + 36 <= end) {
        // Full box header (4), entry count (4), then the first sample entry: a visual one holds the
        // size 24 bytes past its 8-byte header.
        const entry = at + 16;
        const kind = ascii(b, entry + 4, 4);
        if (["avc1", "avc3", "hvc1", "hev1", "mp4v", "vp09", "av01"].includes(kind)) {
          size = { width: view.getUint16(entry + 32), height: view.getUint16(entry + 34) };
        }
      } else if (type === "stsz" && frames === null && at + 20 <= end) {
        frames = view.getUint32(at + 16);
      }
      at += length;
    }
  };
  walk(0, b.length);
  return size !== null && frames !== null ? { ...(size as { width: number; height: number }), frames } : null;
}

/** A WAV's duration from its fmt byte rate and data size (the data size from `total` when cut off). */
export function wavSeconds(b: Uint8Array, total: number): number | null {
  if (b.length < 12 || ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 4) !== "WAVE") return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let byteRate = 0;
  let at = 12;
  while (at + 8 <= b.length) {
    const id = ascii(b, at, 4);
    const length = view.getUint32(at + 4, true);
    if (id === "fmt " && at + 16 <= b.length) byteRate = view.getUint32(at + 16, true);
    if (id === "data") return byteRate > 0 ? Math.min(length, total - at - 8) / byteRate : null;
    at += 8 + length + (length % 2);
  }
  return null;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = "";
  for (let i = at; i < at + n && i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}
