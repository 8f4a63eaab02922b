// Corpus text that is exactly N tokens long by construction, with no tokenizer pass per prompt: the
// `synthetic` generator's windows. Pure apart from the per-process cache (keyed by the tokenizer).
//
// Why it holds: the corpus is encoded once. A window cut where a space-led word token starts (" house")
// and ending just before another one starts on a pre-token boundary at both ends: tokenizers split
// text into pre-tokens at every space before a letter (the GPT-2, cl100k, o200k and Llama 3 split
// patterns; Whitespace and Metaspace pre-tokenizers) and encode each pre-token on its own, so the
// window's text encodes to exactly the ids it was cut from, and windows put back to back (for prompts
// longer than half the corpus) encode to their ids one after another. The argument is about the
// tokenizer's structure, so it is checked once per tokenizer and corpus, not assumed: sample texts of
// many windows must encode to their own ids, and where they do not (or the corpus's token texts do not
// add up to the corpus) there are no exact windows (null): the generator fits each prompt with the
// tokenizer as before (_fit.ts). As with the exact pool (_exact.ts), a tokenizer that drops the space
// of a text's first word (SentencePiece) gets its first window without it, when that is what checks.
import { createRng } from "../load/rng.ts";
import { type ByteSink, putBytes } from "./prompt-bytes.ts";
import type { Tokenizer } from "./types.ts";

export interface ExactWindows {
  /** Tokens in the corpus. */
  readonly size: number;
  /**
   * Corpus text of exactly `n` tokens, read from a start drawn with `int(m)` → 0 … m-1 (the request's
   * seeded RNG), or null in the rare case that no start near the drawn one has a window that ends on
   * a word start (the caller then fits a prompt with the tokenizer).
   */
  text(n: number, int: (m: number) => number): string | null;
  /**
   * The same text (the same draws) appended to `sink` as the inside of a JSON string, UTF-8; false
   * (the sink's `at` left where the text began) where `text` is null, or where the corpus is not
   * printable ASCII once escaped: such a corpus has no byte form here.
   */
  into(n: number, int: (m: number) => number, sink: ByteSink): boolean;
}

/** A corpus and its ids under the tokenizer (encoded once by the caller, who keeps them too). */
export interface CorpusTokens {
  readonly text: string;
  readonly ids: readonly number[];
}

const cache = new WeakMap<Tokenizer, Map<string, ExactWindows | null>>();
const WORD_START = /^ [\p{L}\p{M}]/u;
/** Starts tried after the drawn one before giving up on a window (each ends on a word start ~2 in 3). */
const TRIES = 64;
/** Sample texts checked at start, each of this many windows of 1 … MAX_SAMPLE_WINDOW tokens. */
const SAMPLES = 4;
const SAMPLE_WINDOWS = 16;
const MAX_SAMPLE_WINDOW = 40;

/** The exact windows of `corpus` under `tokenizer`, or null where they do not hold (computed once). */
export function exactWindows(tokenizer: Tokenizer, corpus: CorpusTokens): ExactWindows | null {
  let byCorpus = cache.get(tokenizer);
  if (!byCorpus) cache.set(tokenizer, (byCorpus = new Map()));
  let windows = byCorpus.get(corpus.text);
  if (windows === undefined) {
    windows = buildWindows(tokenizer, corpus);
    byCorpus.set(corpus.text, windows);
  }
  return windows;
}

interface Layout {
  /** Where token i's text starts in the corpus (UTF-16 units); offsets[size] is the corpus's length. */
  offsets: Int32Array;
  /** Token positions whose text is a space and a letter: where windows start and end. */
  starts: Int32Array;
  /** 1 at those positions, else 0 (one more entry, for the corpus's end, is 0). */
  isStart: Uint8Array;
}

function buildWindows(tokenizer: Tokenizer, { text: corpus, ids }: CorpusTokens): ExactWindows | null {
  const layout = layoutOf(tokenizer, { text: corpus, ids });
  if (layout === null || layout.starts.length < 16) return null;
  const { offsets, starts, isStart } = layout;
  const size = ids.length;
  // Windows of up to half the corpus have many starts; longer texts are several windows back to back.
  const longest = Math.max(1, Math.floor(size / 2));

  /** A window of `n` tokens from the drawn start on: its first token's position, or -1. */
  function windowAt(n: number, drawn: number): number {
    // Starts whose window fits before the corpus ends: starts[0 … last).
    const last = upperBound(starts, size - n);
    if (last === 0) return -1;
    let k = drawn % last;
    for (let t = 0; t < Math.min(TRIES, last); t++) {
      const from = starts[k] as number;
      const end = from + n;
      if (end === size || isStart[end] === 1) return from;
      k = k + 1 === last ? 0 : k + 1;
    }
    return -1;
  }

  /** Draws the windows of an `n`-token text, each one handed to `piece` (token position, count). */
  function draw(n: number, int: (m: number) => number, piece: (from: number, m: number) => void): boolean {
    for (let left = n; left > 0; ) {
      const m = Math.min(left, longest);
      const from = windowAt(m, int(starts.length));
      if (from < 0) return false;
      piece(from, m);
      left -= m;
    }
    return true;
  }

  function compose(n: number, int: (m: number) => number, stripFirst: boolean, out: number[] | null) {
    let text = "";
    const ok = draw(n, int, (from, m) => {
      const piece = corpus.slice(offsets[from]!, offsets[from + m]!);
      text += text === "" && stripFirst ? piece.slice(1) : piece;
      if (out !== null) for (let i = from; i < from + m; i++) out.push(ids[i] as number);
    });
    return ok ? text : null;
  }

  // The corpus JSON-escaped as bytes, and where each of its characters starts there (made when a byte
  // form is first asked for; null for a corpus that is not ASCII).
  let escaped: EscapedText | null | undefined;
  function into(n: number, int: (m: number) => number, stripFirst: boolean, sink: ByteSink): boolean {
    if (escaped === undefined) escaped = escapedAscii(corpus);
    const e = escaped;
    if (e === null) return false;
    const begin = sink.at;
    let first = true;
    const ok = draw(n, int, (from, m) => {
      const start = offsets[from]! + (first && stripFirst ? 1 : 0);
      putBytes(sink, e.bytes, e.at[start] as number, e.at[offsets[from + m]!] as number);
      first = false;
    });
    if (!ok) sink.at = begin;
    return ok;
  }

  const stripFirst = checkedStrip(tokenizer, (int, out, strip) => {
    // Sample texts: many short windows back to back, so many boundaries are checked per encode.
    let text = "";
    for (let w = 0; w < SAMPLE_WINDOWS; w++) {
      const piece = compose(1 + int(MAX_SAMPLE_WINDOW), int, strip && w === 0, out);
      if (piece === null) return null;
      text += piece;
    }
    return text;
  });
  if (stripFirst === null) return null;
  return {
    size,
    text: (n, int) => (n <= 0 ? "" : compose(n, int, stripFirst, null)),
    into: (n, int, sink) => n <= 0 || into(n, int, stripFirst, sink),
  };
}

type Sampler = (int: (m: number) => number, out: number[], strip: boolean) => string | null;

/**
 * Whether the first window of a text goes without its leading space (false: it keeps it), as the
 * sample texts show; null when the samples encode to their own ids neither way.
 */
function checkedStrip(tokenizer: Tokenizer, sample: Sampler): boolean | null {
  for (const strip of [false, true]) {
    const rng = createRng(0x5eed);
    let ok = true;
    for (let s = 0; s < SAMPLES && ok; s++) {
      const ids: number[] = [];
      const text = sample(rng.int, ids, strip);
      ok = text !== null && same(tokenizer.encode(text), ids);
    }
    if (ok) return strip;
  }
  return null;
}

/**
 * Each corpus token's text and where it starts, from its text after a reference token (decoders such
 * as Metaspace drop a text's first space, so a token decoded alone may hide it). Null where the
 * texts do not add up to the corpus (a decoder that cleans up spaces, a normaliser that rewrites it).
 */
function layoutOf(tokenizer: Tokenizer, { text: corpus, ids }: CorpusTokens): Layout | null {
  const ref = tokenizer.encode("a").slice(0, 1);
  if (ref.length !== 1) return null;
  const refText = tokenizer.decode(ref);
  const texts = new Map<number, string | null>();
  const textOf = (id: number): string | null => {
    let text = texts.get(id);
    if (text === undefined) {
      const after = tokenizer.decode([...ref, id]);
      // A partial UTF-8 sequence (a byte token) has no text of its own: no window starts or ends there.
      text = after.startsWith(refText) && !after.includes("\uFFFD") ? after.slice(refText.length) : null;
      texts.set(id, text);
    }
    return text;
  };
  const offsets = new Int32Array(ids.length + 1).fill(-1);
  const starts: number[] = [];
  const isStart = new Uint8Array(ids.length + 1);
  let at = 0;
  let i = 0;
  while (i < ids.length) {
    // A run of byte tokens is decoded together (a character split over tokens), up to 8 of them.
    let j = i + 1;
    let text = textOf(ids[i]!);
    while (text === null && j < ids.length && j - i < 8) {
      j++;
      const after = tokenizer.decode([...ref, ...ids.slice(i, j)]);
      if (after.startsWith(refText) && !after.includes("\uFFFD")) text = after.slice(refText.length);
    }
    if (text === null) return null;
    // The corpus's own first word may lack the space the tokenizer puts in front of a text's first word.
    if (at === 0 && !corpus.startsWith(text) && text.startsWith(" ")) text = text.slice(1);
    if (!corpus.startsWith(text, at)) return null;
    offsets[i] = at;
    if (j === i + 1 && WORD_START.test(text)) {
      starts.push(i);
      isStart[i] = 1;
    }
    at += text.length;
    i = j;
  }
  if (at !== corpus.length) return null;
  offsets[ids.length] = at;
  return { offsets, starts: Int32Array.from(starts), isStart };
}

interface EscapedText {
  /** The text as JSON.stringify escapes it (without the quotes), ASCII bytes. */
  bytes: Uint8Array;
  /** at[k]: where the text's character k starts in `bytes`; at[length] is the end. */
  at: Int32Array;
}

/** `text` escaped as JSON.stringify does, with each character's place; null past ASCII. */
function escapedAscii(text: string): EscapedText | null {
  // Two passes (places, then bytes), so a corpus of megabytes needs no array of numbers on the way.
  const at = new Int32Array(text.length + 1);
  let length = 0;
  for (let k = 0; k < text.length; k++) {
    at[k] = length;
    const c = text.charCodeAt(k);
    if (c >= 0x80) return null;
    length += c >= 0x20 && c !== 0x22 && c !== 0x5c ? 1 : JSON.stringify(text[k]).length - 2;
  }
  at[text.length] = length;
  const bytes = new Uint8Array(length);
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) bytes[at[k] as number] = c;
    else {
      const escaped = JSON.stringify(text[k]);
      for (let e = 1; e < escaped.length - 1; e++) bytes[(at[k] as number) + e - 1] = escaped.charCodeAt(e);
    }
  }
  return { bytes, at };
}

/** How many of the sorted `values` are <= `limit`. */
function upperBound(values: Int32Array, limit: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
