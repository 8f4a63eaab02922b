// Test helper: a tiny word tokenizer whose pieces can be told to merge across spaces, for the checks
// that exact pools and exact corpus windows make before trusting a tokenizer.
import type { Tokenizer } from "./types.ts";

/**
 * A word tokenizer: id 0 is "a", ids 1… are " " + a letter word. `merge` decides whether two adjacent
 * words encode as one (the first's id), modelling a tokenizer whose pieces interact across spaces.
 */
export function wordTokenizer(merge: (left: string, right: string) => boolean): Tokenizer {
  const words = [
    "a",
    ...Array.from(
      { length: 60 },
      (_, i) => ` w${String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26))}`,
    ),
  ];
  const ids = new Map(words.map((w, i) => [w, i]));
  const encode = (text: string): number[] => {
    const pieces = text.match(/ ?[^ ]+/g) ?? [];
    const out: number[] = [];
    pieces.forEach((piece, i) => {
      if (i > 0 && merge(pieces[i - 1]!, piece)) return;
      out.push(ids.get(piece) ?? 0);
    });
    return out;
  };
  return {
    name: "words",
    encode,
    decode: (list) => list.map((id) => words[id]!).join(""),
    count: (text) => encode(text).length,
    vocabSize: words.length,
    specialIds: [],
  };
}
