// Sizes from media headers, without decoding pixels: PNG, JPEG and WebP dimensions, an MP4's first video
// track (size and frame count), a WAV's duration. Used where media arrive as bytes (the simulator reading
// requests, VisionArena rows). Pure.

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
