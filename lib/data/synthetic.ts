// data.type "synthetic": natural text windows from a corpus (the bundled Shakespeare excerpt or
// data.corpus_file_path), each exactly its target length under the tokenizer: by construction where
// the tokenizer allows it (_exact-windows.ts: cut at word starts, no tokenizer pass per prompt), else
// fitted with the tokenizer (_fit.ts). Pure given its inputs.
import { exactWindows } from "./_exact-windows.ts";
import { fitToLength } from "./_fit.ts";
import { indexRng } from "./_seed.ts";
import { sizedPrompt } from "./_sized-prompt.ts";
import type { LengthSource } from "./lengths.ts";
import { withPromptBytes } from "./prompt-bytes.ts";
import type { DataGenerator, Tokenizer } from "./types.ts";

export interface SyntheticOptions {
  tokenizer: Tokenizer;
  lengths: LengthSource;
  seed: number;
  corpus: string;
}

const encoded = new WeakMap<Tokenizer, Map<string, number[]>>();

/** The corpus as token ids, encoded once per tokenizer and corpus. */
function corpusIds(tokenizer: Tokenizer, corpus: string): number[] {
  let byCorpus = encoded.get(tokenizer);
  if (!byCorpus) encoded.set(tokenizer, (byCorpus = new Map()));
  let ids = byCorpus.get(corpus);
  if (!ids) {
    ids = tokenizer.encode(corpus);
    if (ids.length === 0) throw new RangeError("The synthetic corpus is empty");
    byCorpus.set(corpus, ids);
  }
  return ids;
}

export function createSyntheticGenerator({
  tokenizer,
  lengths,
  seed,
  corpus,
}: SyntheticOptions): DataGenerator {
  const ids = corpusIds(tokenizer, corpus);
  const windows = exactWindows(tokenizer, { text: corpus, ids });
  const generator: DataGenerator = {
    type: "synthetic",
    size: lengths.size,
    next(index) {
      const { input, output } = lengths.at(index);
      const rng = indexRng(seed, index);
      const exact = windows?.text(input, rng.int) ?? null;
      if (exact !== null) return sizedPrompt(exact, input, output);
      // A random start, then the corpus read onwards; it wraps around, so any length is reachable.
      let cursor = rng.int(ids.length);
      const take = (n: number): number[] => {
        const out = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          out[i] = ids[cursor] as number;
          cursor = (cursor + 1) % ids.length;
        }
        return out;
      };
      const { text, count } = fitToLength(tokenizer, input, take(input), take);
      return sizedPrompt(text, count, output);
    },
  };
  if (windows === null) return generator;
  // The windows' bytes straight into a request body; a request whose window `next` would have fitted
  // with the tokenizer (rare), or a corpus beyond ASCII, goes the string path instead.
  return withPromptBytes(generator, {
    write(index, sink) {
      const { input, output } = lengths.at(index);
      return windows.into(input, indexRng(seed, index).int, sink)
        ? { promptTokens: input, maxTokens: output }
        : null;
    },
  });
}
