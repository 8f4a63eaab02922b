// FNV-1a (32-bit) for the run's sequence fingerprint: cheap enough for the hot path. Pure.

export const FNV_OFFSET = 0x811c9dc5;

/** Fold a string into a running hash: its length, its first and last 256 characters. */
export function fnvString(hash: number, text: string): number {
  hash = fnvNumber(hash, text.length);
  // Sampling both ends bounds the cost for long prompts (shareGPT bodies run to 10s of KB) while
  // still covering the model (adapter) at the start and max_tokens/prompt tail at the end.
  const head = Math.min(text.length, 256);
  for (let i = 0; i < head; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  for (let i = Math.max(head, text.length - 256); i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/**
 * fnvString over an ASCII text held as bytes, bytes[from … to): the same hash as fnvString of the text
 * (for ASCII, bytes and UTF-16 units are the same numbers), without making the string.
 */
export function fnvAscii(hash: number, bytes: Uint8Array, from: number, to: number): number {
  const length = to - from;
  hash = fnvNumber(hash, length);
  const head = from + Math.min(length, 256);
  for (let i = from; i < head; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  for (let i = Math.max(head, to - 256); i < to; i++)
    hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

export function fnvNumber(hash: number, n: number): number {
  hash = Math.imul(hash ^ (n & 0xffff), 0x01000193);
  return Math.imul(hash ^ ((n >>> 16) & 0xffff), 0x01000193) >>> 0;
}

/** Every byte of a Float64Array (send offsets). */
export function fnvFloat64(hash: number, values: Float64Array): number {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

export function hex(hash: number): string {
  return (hash >>> 0).toString(16).padStart(8, "0");
}
