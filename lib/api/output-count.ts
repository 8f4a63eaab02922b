// Client-side output token counting with bounded work and memory, whatever the server sends. Pure.
//
// Why not `tokenizer.count(allText)`: byte-pair encoders merge within one pre-token, and the built-in
// cl100k_base (gpt-tokenizer) is quadratic in a pre-token's length; text without spaces is one long
// pre-token, so 256 KB of it took 49 s and froze the Worker. Here the text is counted in segments of
// at most `segmentChars`, each ending where the tokenizer's pre-tokenizer splits anyway, so the sum is
// the whole text's count:
//
//   cl100k_base splits (no look-behind in its pattern) before every character that cannot continue
//   the pre-token holding the letter before it: its letter alternatives are `[^\r\n\p{L}\p{N}]?\p{L}+`
//   and the contractions `'s`, `'ll`, … , all of which end at the last letter of a run. So a position
//   i with a letter at i - 1 and a non-letter at i starts a pre-token, and the pattern applied from i
//   on gives the same pieces as it does inside the whole text. The piece before i ends in a letter, so
//   the pattern's `\s+(?!\S)` and `\s+$` read the same there too.
//
// Only text with no such boundary for `segmentChars` (a run of letters longer than that, which no
// language writes) is cut where the window ends; each such cut may change the count by a token.
// Tokenizers with other pre-tokenizers (tokenizer.json) split at least at the same places in practice
// (byte-level BPE patterns separate letters from what follows; SentencePiece merges stay inside words).
//
// Work is bounded too: only the first `budgetChars` characters are kept and counted; beyond that the
// count is extrapolated at the counted part's tokens per character (a real completion that long is
// over 60k tokens; servers that long-winded usually send `usage`, which is used instead).
import type { Tokenizer } from "../data/types.ts";

export interface OutputCountLimits {
  /** Longest text handed to the tokenizer at once. */
  segmentChars: number;
  /** Characters counted exactly; the rest is extrapolated. */
  budgetChars: number;
}

/**
 * 512: measured (docs/PERFORMANCE.md, "Output token counting"), a run of one letter costs the
 * encoder ~2.4 µs per character in 512-character pieces and ~24 µs in 4,096-character ones, while
 * natural text costs the same in any piece size. 256 Ki characters: about 64k tokens of English.
 */
export const defaultOutputCountLimits: Readonly<OutputCountLimits> = Object.freeze({
  segmentChars: 512,
  budgetChars: 256 * 1024,
});

export interface OutputCounter {
  /** More output text, in order; keeps at most `budgetChars` characters in all. */
  add(text: string): void;
  /** The token count of everything added (exact within the budget, extrapolated past it). */
  count(): number;
}

export function createOutputCounter(
  tokenizer: Tokenizer,
  limits: Readonly<OutputCountLimits> = defaultOutputCountLimits,
): OutputCounter {
  const parts: string[] = [];
  let kept = 0;
  let seen = 0;
  return {
    add(text) {
      seen += text.length;
      if (kept >= limits.budgetChars || text.length === 0) return;
      let part = text.length <= limits.budgetChars - kept ? text : text.slice(0, limits.budgetChars - kept);
      // Never keep half of a surrogate pair: the tokenizer would count a replacement character.
      if (part.length < text.length && isHighSurrogate(part.charCodeAt(part.length - 1)))
        part = part.slice(0, -1);
      parts.push(part);
      kept += part.length;
      if (part.length < text.length) kept = limits.budgetChars; // full: later text is only seen
    },
    count() {
      const text = parts.length === 1 ? (parts[0] as string) : parts.join("");
      const tokens = countInSegments(tokenizer, text, limits.segmentChars);
      if (seen <= text.length || text.length === 0) return tokens;
      return Math.round((tokens * seen) / text.length);
    },
  };
}

/** `tokenizer.count(text)` in pieces of at most `segmentChars`, cut at pre-token boundaries. */
export function countInSegments(tokenizer: Tokenizer, text: string, segmentChars: number): number {
  if (text.length <= segmentChars) return tokenizer.count(text);
  let total = 0;
  let at = 0;
  while (text.length - at > segmentChars) {
    const end = segmentEnd(text, at, at + segmentChars);
    total += tokenizer.count(text.slice(at, end));
    at = end;
  }
  return total + tokenizer.count(text.slice(at));
}

/** The last pre-token boundary in (from, to], else `to` (moved off a surrogate pair's middle). */
export function segmentEnd(text: string, from: number, to: number): number {
  for (let i = to; i > from; i--) {
    if (isBmpLetter(text.charCodeAt(i - 1), text, i - 1) && isBmpNonLetter(text.charCodeAt(i), text, i))
      return i;
  }
  return isLowSurrogate(text.charCodeAt(to)) ? to - 1 : to;
}

const letter = /\p{L}/u;

// Both tests say no for a surrogate half, so a boundary is never placed next to a character outside
// the BMP (an emoji joins the punctuation after it in one pre-token; a few of them are letters).

/** A letter (\p{L}) in the BMP; ASCII without a regular expression. */
function isBmpLetter(c: number, text: string, i: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return !isSurrogate(c) && letter.test(text[i] as string);
}

/** A character in the BMP that is not a letter (digits, spaces, punctuation, marks). */
function isBmpNonLetter(c: number, text: string, i: number): boolean {
  if (c < 0x80) return !((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a));
  return !isSurrogate(c) && !letter.test(text[i] as string);
}

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
