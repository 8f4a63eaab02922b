// Test helper for parsers that must give the same result however their input is chunked: a buffer
// cut at arbitrary offsets (from fast-check), as a socket might deliver it.

/** Cuts `bytes` at the given offsets (taken modulo length + 1, deduplicated, sorted); empty pieces kept. */
export function cutBytes(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}
