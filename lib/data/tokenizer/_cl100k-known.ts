// cl100k_base token counts without its vocabulary, for text made only of pieces known to be tokens.
// Pure apart from a bounded memo.
//
// Why it is exact: cl100k_base first splits text into pre-tokens with its split pattern, and a
// pre-token that is itself a vocabulary entry encodes as that one token (gpt-tokenizer's countNative:
// `getBpeRankFromString(piece) !== undefined` counts 1); only other pre-tokens go through byte-pair
// merging. So when every pre-token is a known single token, the count is the number of pre-tokens.
// Known here: one printable ASCII character, one to three ASCII digits (the pattern's `\p{N}{1,3}`),
// and the word tokens listed in assets/cl100k-words.ts; the test checks each class against the
// vocabulary. Anything else gives undefined, and the caller loads the vocabulary.
import { CL100K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import { CL100K_BARE_WORDS, CL100K_SPACE_WORDS } from "../assets/cl100k-words.ts";

const SPACE_WORD = /^ [A-Za-z]+$/;
const BARE_WORD = /^[A-Za-z]+$/;
const DIGITS = /^[0-9]{1,3}$/;

/**
 * A word lookup scans a list (up to ~0.3 ms when the word is not there), so answers are kept, and only
 * `lookups` distinct words are ever looked up: that serves prompts that repeat a handful of words (mock
 * data), while varied text (outputs, datasets) soon gives up here and loads the vocabulary, whose
 * lookups cost nothing. Past that budget every text gets undefined.
 */
export const LOOKUP_BUDGET = 32;

/**
 * A counter of cl100k_base tokens (special-token text counted as plain text) that answers undefined
 * when a piece of the text is not known here to be a single token, or its word budget is spent.
 */
export function createKnownCounter(lookups = LOOKUP_BUDGET): (text: string) => number | undefined {
  const memo = new Map<string, boolean>();

  /** Whether `piece` (one pre-token) is one token, as far as the lists can tell. */
  function isKnownToken(piece: string): boolean {
    if (piece.length === 1) {
      const c = piece.charCodeAt(0);
      return c >= 0x20 && c <= 0x7e;
    }
    if (DIGITS.test(piece)) return true;
    const spaced = SPACE_WORD.test(piece);
    if (!spaced && !BARE_WORD.test(piece)) return false;
    let known = memo.get(piece);
    if (known === undefined) {
      if (memo.size >= lookups) return false;
      // A space-led entry starts at a space and ends where the next one's space (or the list) does.
      known = spaced
        ? CL100K_SPACE_WORDS.includes(`${piece} `) || CL100K_SPACE_WORDS.endsWith(piece)
        : CL100K_BARE_WORDS.includes(`\n${piece}\n`);
      memo.set(piece, known);
    }
    return known;
  }

  return (text) => {
    if (memo.size >= lookups) return undefined;
    let count = 0;
    for (const [piece] of text.matchAll(CL100K_TOKEN_SPLIT_REGEX)) {
      if (!isKnownToken(piece)) return undefined;
      count++;
    }
    return count;
  };
}
