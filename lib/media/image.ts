// Solid-colour images in PNG or JPEG, as inference-perf synthesises them: one random colour per image, so
// the bytes grow with the resolution the config asks for. Pure (CPU only).
//
// PNG is assembled here around node:zlib's deflate at level 1, byte for byte what inference-perf's stdlib
// writer produces (same zlib, same level, same rows): fast-png took ~1 s for a 1080p image, node:zlib
// (native in Bun and Deno) 2-20 ms. JPEG is jpeg-js at inference-perf's quality 75 (~0.6 s at 1080p,
// which is why the media pool keeps fewer large JPEGs; pool.ts).

import { encode as encodeJpeg } from "jpeg-js";

export type ImageFormat = "png" | "jpeg";

/** inference-perf's JPEG quality (Pillow's `quality=75`). */
export const JPEG_QUALITY = 75;

export const IMAGE_MIME: Readonly<Record<ImageFormat, string>> = { png: "image/png", jpeg: "image/jpeg" };

export type Rgb = readonly [number, number, number];

/** An image of `width` x `height` pixels, all of colour `rgb`, encoded as `format`. */
export function encodeSolidImage(width: number, height: number, rgb: Rgb, format: ImageFormat): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Image size must be positive integers, got ${width}x${height}`);
  }
  return format === "png" ? solidPng(width, height, rgb) : solidJpeg(width, height, rgb);
}

/**
 * node:zlib on first use only: the compiled binary loads every statically imported node: module at
 * each thread's start (docs/PERFORMANCE.md "Start-up"), and most runs make no image.
 */
function zlib(): typeof import("node:zlib") {
  return process.getBuiltinModule("node:zlib");
}

function solidPng(width: number, height: number, rgb: Rgb): Uint8Array {
  // Each row: filter byte 0 (None), then the pixels.
  const row = 1 + width * 3;
  const raw = new Uint8Array(row * height);
  for (let x = 0; x < width; x++) raw.set(rgb, 1 + x * 3);
  fillByDoubling(raw, row);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter method extras, no interlace
  const chunks = [
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib().deflateSync(raw, { level: 1 })),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, zlib().crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function solidJpeg(width: number, height: number, rgb: Rgb): Uint8Array {
  const data = new Uint8Array(width * height * 4); // jpeg-js reads RGBA
  data.set([rgb[0], rgb[1], rgb[2], 255]);
  fillByDoubling(data, 4);
  const jpeg = encodeJpeg({ width, height, data }, JPEG_QUALITY).data;
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
}

/** Repeats the first `unit` bytes over the whole buffer in log2(length) copies. */
function fillByDoubling(buffer: Uint8Array, unit: number): void {
  for (let filled = unit; filled < buffer.length; filled *= 2) {
    buffer.copyWithin(filled, 0, Math.min(filled, buffer.length - filled));
  }
}
