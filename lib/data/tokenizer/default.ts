// The built-in tokenizer used when none is configured: OpenAI's cl100k_base via gpt-tokenizer
// (pure JS, ranks bundled in the package, so it works offline, in the compiled binary and under Deno).
// cl100k_base is chosen over o200k_base because it loads in about half the time (each worker loads its
// own copy) and Llama 3's 128k vocabulary extends it, so its counts sit close to many served models'.
//
// Loaded on first use, not on import: evaluating the ranks costs 0.2-0.5 s of CPU per thread, and a
// run with mock or random data (or a server that reports usage) never needs it: texts made of known
// single tokens are counted without it (_cl100k-known.ts), and random prompts draw from the word
// tokens listed in assets/cl100k-words.ts (`exactPoolWords`). First use must stay
// synchronous (a count happens inside a response's bookkeeping), so the package's CommonJS build is
// required: `require` under Bun, where `bun build --compile` bundles the literal specifiers, and
// createRequire elsewhere (Deno, Node).
import { createRequire } from "node:module";
import { CL100K_SPACE_WORD_LENGTHS, CL100K_SPACE_WORDS } from "../assets/cl100k-words.ts";
import type { Tokenizer } from "../types.ts";
import { createKnownCounter } from "./_cl100k-known.ts";

type Encoding = typeof import("gpt-tokenizer/encoding/cl100k_base");
type Ranks = { default: readonly (string | readonly number[])[] };
declare const require: ((id: string) => unknown) | undefined;

interface Loaded {
  countTokens: Encoding["countTokens"];
  encode: Encoding["encode"];
  ranks: Ranks["default"];
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded !== undefined) return loaded;
  // Literal specifiers inside `require(…)`: what the compiled binary's bundler follows.
  const bun = typeof require === "function";
  const other = bun ? undefined : createRequire(import.meta.url);
  const encoding = (
    bun
      ? require!("gpt-tokenizer/cjs/encoding/cl100k_base")
      : other!("gpt-tokenizer/cjs/encoding/cl100k_base")
  ) as Encoding;
  const ranks = (
    bun
      ? require!("gpt-tokenizer/cjs/bpeRanks/cl100k_base")
      : other!("gpt-tokenizer/cjs/bpeRanks/cl100k_base")
  ) as Ranks;
  loaded = { countTokens: encoding.countTokens, encode: encoding.encode, ranks: ranks.default };
  return loaded;
}

export const DEFAULT_TOKENIZER_NAME = "built-in cl100k_base";

// Text that happens to look like "<|endoftext|>" is ordinary text for a prompt: never throw on it,
// never turn it into a special token.
const PLAIN = { disallowedSpecial: new Set<string>() };

// Our own decode: gpt-tokenizer 4.0's decode() feeds a module-wide TextDecoder in streaming mode and
// never flushes it, so a text ending in a partial UTF-8 sequence leaks those bytes into the NEXT
// decode call ("日本語" came back as "日本�語" after decoding a lone byte token). Ranks are either a
// string (valid UTF-8 on its own) or a byte array (a partial sequence); a non-streaming decoder per
// byte run cannot leak, and a run never continues into a string token, which starts a new character.
const bytesDecoder = new TextDecoder();

function decode(ids: readonly number[]): string {
  const { ranks } = load();
  let out = "";
  let pending: number[] = [];
  for (const id of ids) {
    const rank = ranks[id];
    if (typeof rank === "string") {
      if (pending.length > 0) {
        out += bytesDecoder.decode(Uint8Array.from(pending));
        pending = [];
      }
      out += rank;
    } else if (rank !== undefined) {
      pending.push(...rank);
    } else {
      throw new RangeError(`Token id ${id} is not in ${DEFAULT_TOKENIZER_NAME}`);
    }
  }
  return pending.length > 0 ? out + bytesDecoder.decode(Uint8Array.from(pending)) : out;
}

let instance: Tokenizer | undefined;
const countKnown = createKnownCounter();

/** The process-wide default tokenizer; its vocabulary loads on first use (see the top of this file). */
export function defaultTokenizer(): Tokenizer {
  instance ??= {
    name: DEFAULT_TOKENIZER_NAME,
    encode: (text) => (text.length === 0 ? [] : load().encode(text, PLAIN)),
    decode,
    // Until something needs the vocabulary, a text of known tokens is counted without loading it.
    count: (text) =>
      text.length === 0
        ? 0
        : ((loaded === undefined ? countKnown(text) : undefined) ?? load().countTokens(text, PLAIN)),
    // Ranks 0..100255 are ordinary byte-pair tokens; the special tokens all sit above them.
    get vocabSize() {
      return load().ranks.length;
    },
    specialIds: [],
    // Every space-led ASCII word token composes exactly (the test builds the pool the long way).
    exactPoolWords: () => ({ text: CL100K_SPACE_WORDS, lengths: CL100K_SPACE_WORD_LENGTHS }),
  };
  return instance;
}

/** Whether this thread has loaded the vocabulary (for tests and the start-up trace). */
export function vocabularyLoaded(): boolean {
  return loaded !== undefined;
}

/** The default tokenizer with its vocabulary loaded now, for a caller that must not pause later. */
export function loadedDefaultTokenizer(): Tokenizer {
  load();
  return defaultTokenizer();
}
