// A big-endian bit writer for H.264 syntax: fixed-width fields, Exp-Golomb codes, RBSP trailing bits,
// and the emulation prevention that turns an RBSP into a NAL unit payload. Pure.

export class BitWriter {
  #bytes = new Uint8Array(256);
  #length = 0; // whole bytes written
  #acc = 0; // bits not yet flushed, high bits first
  #accBits = 0;

  /** `n` low bits of `value` (n ≤ 24), most significant first. */
  u(n: number, value: number): void {
    for (let i = n - 1; i >= 0; i--) this.#bit((value >>> i) & 1);
  }

  /** Unsigned Exp-Golomb ue(v): (bits of v + 1) - 1 zeros, then v + 1 in binary. */
  ue(value: number): void {
    const x = value + 1;
    const bits = 32 - Math.clz32(x);
    this.u(bits - 1, 0);
    this.u(bits, x);
  }

  /** Signed Exp-Golomb se(v): k > 0 maps to 2k - 1, k ≤ 0 to -2k. */
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** `count` copies of the 8-bit `pattern`, a byte at a time whatever the bit alignment. */
  repeatByte(pattern: number, count: number): void {
    if (count <= 0) return;
    this.#reserve(count + 1);
    const k = this.#accBits;
    if (k === 0) {
      this.#bytes.fill(pattern, this.#length, this.#length + count);
      this.#length += count;
      return;
    }
    // The pending k bits complete the first byte; after that each byte is the pattern rotated by k.
    const low = pattern & ((1 << k) - 1);
    this.#bytes[this.#length++] = ((this.#acc << (8 - k)) | (pattern >>> k)) & 0xff;
    const rotated = ((low << (8 - k)) | (pattern >>> k)) & 0xff;
    this.#bytes.fill(rotated, this.#length, this.#length + count - 1);
    this.#length += count - 1;
    this.#acc = low;
  }

  /** rbsp_trailing_bits: a one, then zeros up to the byte boundary. */
  trailing(): void {
    this.#bit(1);
    while (this.#accBits !== 0) this.#bit(0);
  }

  /** The RBSP written so far (byte-aligned by `trailing()` first). */
  bytes(): Uint8Array {
    if (this.#accBits !== 0) throw new RangeError("The bit writer is not byte-aligned");
    return this.#bytes.slice(0, this.#length);
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  #bit(b: number): void {
    this.#acc = (this.#acc << 1) | b;
    if (++this.#accBits === 8) {
      this.#reserve(1);
      this.#bytes[this.#length++] = this.#acc;
      this.#acc = 0;
      this.#accBits = 0;
    }
  }
}

/** A NAL unit: its one-byte header, then the RBSP with emulation prevention bytes (00 00 0x → 00 00 03 0x). */
export function nalUnit(refIdc: number, type: number, rbsp: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + rbsp.length + Math.ceil(rbsp.length / 2));
  out[0] = (refIdc << 5) | type;
  let n = 1;
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros === 2 && byte <= 3) {
      out[n++] = 3;
      zeros = 0;
    }
    out[n++] = byte;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.slice(0, n);
}
