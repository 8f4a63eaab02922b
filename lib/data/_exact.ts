// Random text that is exactly N tokens long by construction, with no tokenizer pass per prompt.
// Pure apart from the per-process cache (a WeakMap keyed by the tokenizer).
//
// Why it holds: the pool keeps only tokens whose text is one space followed by letters (" house",
// " Haus"), each of which encodes back to itself alone. Tokenizers split such text into pre-tokens at
// every space before a letter (the GPT-2, cl100k, o200k and Llama 3 split patterns; Whitespace and
// Metaspace pre-tokenizers), and a pre-token is encoded on its own, so a text made of pool tokens
// encodes to exactly the ids it was made from, whatever their order. That argument is about the
// tokenizer's structure, so it is checked once per tokenizer, not assumed: every pool token is
// encoded in a random context (chunks of shuffled pool tokens must encode to their own ids), and a
// tokenizer that fails the check gets no pool (null): its generators fall back to fitting each prompt
// with the tokenizer (_fit.ts).
import { createRng } from "../load/rng.ts";
import { tokenPools } from "./_pools.ts";
import { type ByteSink, growableSink, putBytes } from "./prompt-bytes.ts";
import type { Tokenizer } from "./types.ts";

export interface ExactPool {
  /** How many tokens there are to draw from. */
  readonly size: number;
  /** Token i's text after another pool token (with its leading space). */
  readonly texts: readonly string[];
  /** Token i's text at the start of a text (what decoding it alone gives; SentencePiece drops the space). */
  readonly firstTexts: readonly string[];
  /** The texts as UTF-8, and the first texts. */
  readonly contextBytes: TokenBytes;
  readonly firstBytes: TokenBytes;
  /** Bytes of the longest text or first text. */
  readonly longest: number;
}

/** Token texts as UTF-8, back to back: token i is bytes[starts[i]] … bytes[starts[i + 1]]. */
interface TokenBytes {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
}

const cache = new WeakMap<Tokenizer, ExactPool | null>();
/** Pool tokens are checked in shuffled chunks of this many (one encode call each). */
const CHUNK = 256;
const WORD = /^ [\p{L}\p{M}]+$/u;
const ASCII_WORD = /^ [A-Za-z]+$/;
/**
 * With at least this many ASCII words, the pool keeps only those: prompts are then ASCII, which JSON
 * serialisation and UTF-8 encoding handle several times faster than text with a single character
 * beyond Latin-1 (JSC: 2-3 µs instead of 25-60 µs to serialise a 512-token prompt).
 */
const ASCII_ENOUGH = 1000;

/** The exact pool for `tokenizer`, or null when its tokens do not compose exactly (computed once). */
export function exactPool(tokenizer: Tokenizer): ExactPool | null {
  let pool = cache.get(tokenizer);
  if (pool === undefined) {
    const known = tokenizer.exactPoolWords?.();
    pool = known === undefined ? buildExactPool(tokenizer) : poolFromWords(known);
    cache.set(tokenizer, pool);
  }
  return pool;
}

/**
 * The pool from a tokenizer that lists it (`Tokenizer.exactPoolWords`): its tokens back to back and
 * their lengths. A few ms, where building it from the vocabulary takes hundreds.
 */
function poolFromWords({ text, lengths }: { text: string; lengths: string }): ExactPool {
  const bytes = new TextEncoder().encode(text);
  const size = lengths.length;
  const starts = new Int32Array(size + 1);
  let longest = 0;
  for (let i = 0; i < size; i++) {
    const length = lengths.charCodeAt(i) - 0x30;
    starts[i + 1] = starts[i]! + length;
    if (length > longest) longest = length;
  }
  if (starts[size] !== bytes.length)
    throw new RangeError("The listed exact pool's lengths do not add up to its text");
  const table: TokenBytes = { bytes, starts };
  let texts: string[] | undefined;
  const textsOf = () => {
    texts ??= Array.from({ length: size }, (_, i) =>
      decoder.decode(bytes.subarray(starts[i]!, starts[i + 1]!)),
    );
    return texts;
  };
  return {
    size,
    get texts() {
      return textsOf();
    },
    get firstTexts() {
      return textsOf();
    },
    contextBytes: table,
    firstBytes: table,
    longest,
  };
}

/**
 * Text of `n` tokens drawn from the pool, exactly `n` tokens under the pool's tokenizer. `int(m)` →
 * 0 … m-1 is the request's seeded RNG; it is drawn once, to seed the per-token draws.
 */
export function exactText(pool: ExactPool, n: number, int: (m: number) => number): string {
  if (n <= 0) return "";
  scratch.at = 0;
  exactInto(pool, n, int, scratch);
  return decoder.decode(scratch.bytes.subarray(0, scratch.at));
}

/**
 * The same `n` drawn tokens two ways: `atStart`, as a text of its own (a prompt, a message), and
 * `after`, as it reads following other pool text (a question after its shared prefix). Each is exactly
 * `n` tokens, alone or appended to pool text.
 */
export function exactTexts(
  pool: ExactPool,
  n: number,
  int: (m: number) => number,
): { atStart: string; after: string } {
  if (n <= 0) return { atStart: "", after: "" };
  // Room in front for the first token's text in context, which may be longer than at the start.
  const begin = pool.longest;
  scratch.at = begin;
  const first = exactInto(pool, n, int, scratch);
  const atStart = decoder.decode(scratch.bytes.subarray(begin, scratch.at));
  const { bytes, starts } = pool.contextBytes;
  const from = starts[first] as number;
  const to = starts[first + 1] as number;
  const rest =
    begin + (pool.firstBytes.starts[first + 1] as number) - (pool.firstBytes.starts[first] as number);
  scratch.bytes.set(bytes.subarray(from, to), rest - (to - from));
  return { atStart, after: decoder.decode(scratch.bytes.subarray(rest - (to - from), scratch.at)) };
}

/**
 * exactText's tokens appended to `sink` as UTF-8 (the same draws, so the same text); returns the
 * first token's id. Copied byte by byte from the pool's tables: decoded once, that is a flat string,
 * 2-3x cheaper than joining (or +=, whose rope JSON.stringify then flattens) hundreds of short strings.
 */
export function exactInto(pool: ExactPool, n: number, int: (m: number) => number, sink: ByteSink): number {
  if (n <= 0) return -1;
  const next = mulberry32(int(4294967296));
  const { size } = pool;
  const pick = () => Math.floor((next() * size) / 4294967296);
  const first = pick();
  const firsts = pool.firstBytes;
  putBytes(sink, firsts.bytes, firsts.starts[first] as number, firsts.starts[first + 1] as number);
  sink.room((n - 1) * pool.longest);
  const out = sink.bytes;
  const { bytes, starts } = pool.contextBytes;
  let at = sink.at;
  for (let i = 1; i < n; i++) {
    const id = pick();
    for (let j = starts[id] as number, to = starts[id + 1] as number; j < to; j++)
      out[at++] = bytes[j] as number;
  }
  sink.at = at;
  return first;
}

const decoder = new TextDecoder();
const scratch = growableSink();

/** A small, fast 32-bit PRNG for the per-token draws of one text (seeded from the request's RNG). */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function buildExactPool(tokenizer: Tokenizer): ExactPool | null {
  const ref = tokenizer.encode("a").slice(0, 1);
  if (ref.length !== 1) return null;
  const refText = tokenizer.decode(ref);
  let ids: number[] = [];
  const texts = new Map<number, { text: string; first: string }>();
  for (const id of tokenPools(tokenizer).wordStart) {
    const after = tokenizer.decode([...ref, id]);
    if (!after.startsWith(refText)) continue;
    const text = after.slice(refText.length);
    if (!WORD.test(text)) continue;
    const first = tokenizer.decode([id]);
    // Where decoding alone drops the space (SentencePiece), the first token of a text is that shorter
    // text: it must encode to the same id. Where it keeps it, it is the same pre-token as in context.
    if (first !== text && !same(tokenizer.encode(first), [id])) continue;
    ids.push(id);
    texts.set(id, { text, first });
  }
  const ascii = ids.filter((id) => ASCII_WORD.test(texts.get(id)!.text));
  if (ascii.length >= ASCII_ENOUGH) ids = ascii;
  if (ids.length < 16) return null;
  // Shuffled chunks, each token once after a random neighbour, must encode to their own ids. Where one
  // does not, its tokens are checked alone (after a letter) and those that
  // do not encode to themselves are dropped (tokens that exist but BPE never produces); a chunk that
  // still fails means the tokenizer's pieces interact: no exact pool at all.
  const rng = createRng(0x5eed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const kept: number[] = [];
  const alone = (id: number) => same(tokenizer.encode(refText + texts.get(id)!.text), [...ref, id]);
  for (let start = 0; start < ids.length; start += CHUNK) {
    let chunk = ids.slice(start, start + CHUNK);
    // Each chunk also starts with the last token kept so far, so chunk boundaries are covered too.
    const lead = kept.length > 0 ? [kept[kept.length - 1]!] : [];
    if (!composes(tokenizer, [...lead, ...chunk], texts)) {
      chunk = chunk.filter(alone);
      if (!composes(tokenizer, [...lead, ...chunk], texts)) return null;
    }
    kept.push(...chunk);
  }
  ids = kept;
  if (ids.length < 16) return null;
  ids.sort((a, b) => a - b); // a fixed order, whatever the shuffle: draws index into it
  const inContext = tokenBytes(ids.map((id) => texts.get(id)!.text));
  const first = tokenBytes(ids.map((id) => texts.get(id)!.first));
  let longest = 0;
  for (let i = 0; i < ids.length; i++) {
    longest = Math.max(
      longest,
      inContext.starts[i + 1]! - inContext.starts[i]!,
      first.starts[i + 1]! - first.starts[i]!,
    );
  }
  return {
    size: ids.length,
    texts: ids.map((id) => texts.get(id)!.text),
    firstTexts: ids.map((id) => texts.get(id)!.first),
    contextBytes: inContext,
    firstBytes: first,
    longest,
  };
}

function tokenBytes(texts: readonly string[]): TokenBytes {
  const encoder = new TextEncoder();
  const encoded = texts.map((text) => encoder.encode(text));
  const starts = new Int32Array(texts.length + 1);
  for (let i = 0; i < encoded.length; i++) starts[i + 1] = (starts[i] as number) + encoded[i]!.length;
  const bytes = new Uint8Array(starts[texts.length] as number);
  for (let i = 0; i < encoded.length; i++) bytes.set(encoded[i]!, starts[i]);
  return { bytes, starts };
}

/** Whether the text of `ids` (the first at the start of a text) encodes to exactly `ids`. */
function composes(tokenizer: Tokenizer, ids: number[], texts: Map<number, { text: string; first: string }>) {
  if (ids.length === 0) return true;
  const text = ids.map((id, i) => (i === 0 ? texts.get(id)!.first : texts.get(id)!.text)).join("");
  return same(tokenizer.encode(text), ids);
}

function same(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
