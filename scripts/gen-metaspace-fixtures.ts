// Writes two SentencePiece-style tokenizer.json fixtures from the byte-level BPE fixture
// (fixtures/data/tokenizer.json), so exact prompts are tested under the other way tokenizers mark a
// word's space ("▁word" instead of "Ġword"):
//   fixtures/data/metaspace/  a Metaspace pre-tokenizer and decoder (prepend_scheme "first"), as
//                             Mistral's and newer Llama 2 conversions;
//   fixtures/data/llama2/     no pre-tokenizer, a normaliser that prepends "▁" and turns spaces into
//                             "▁", a decoder that strips the first space, as the original Llama 2.
// The vocabulary and merges are the byte-level fixture's, each token's bytes read back as text with
// spaces as "▁" (byte tokens that are no text on their own are left out). Rerun: bun scripts/gen-metaspace-fixtures.ts
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const data = resolve(import.meta.dirname, "../fixtures/data");
const source = JSON.parse(readFileSync(resolve(data, "tokenizer.json"), "utf8")) as {
  model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
};

/** GPT-2's byte ↔ printable character table: the character that stands for each byte. */
function byteOfChar(): Map<string, number> {
  const printable = (from: string, to: string) =>
    Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => from.charCodeAt(0) + i);
  const bytes = [...printable("!", "~"), ...printable("¡", "¬"), ...printable("®", "ÿ")];
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  return new Map(bytes.map((b, i) => [String.fromCharCode(chars[i]!), b]));
}

const table = byteOfChar();
const utf8 = new TextDecoder("utf-8", { fatal: true });
/** A byte-level token as SentencePiece text, or null for a byte that is no text on its own. */
function asPiece(token: string): string | null {
  try {
    return utf8.decode(Uint8Array.from([...token].map((c) => table.get(c)!))).replaceAll(" ", "\u2581");
  } catch {
    return null;
  }
}

const vocab: Record<string, number> = { "<unk>": 0 };
let size = 1;
for (const [token] of Object.entries(source.model.vocab).sort((a, b) => a[1] - b[1])) {
  const piece = asPiece(token);
  if (piece !== null && !(piece in vocab)) vocab[piece] = size++;
}
const merges: string[] = [];
for (const merge of source.model.merges) {
  const [a, b] = typeof merge === "string" ? (merge.split(" ") as [string, string]) : merge;
  const [pa, pb] = [asPiece(a), asPiece(b)];
  if (pa !== null && pb !== null && pa in vocab && pb in vocab && pa + pb in vocab)
    merges.push(`${pa} ${pb}`);
}
const special = (id: number, content: string) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});
const model = {
  type: "BPE",
  dropout: null,
  unk_token: "<unk>",
  continuing_subword_prefix: null,
  end_of_word_suffix: null,
  fuse_unk: true,
  byte_fallback: false,
  ignore_merges: false,
  vocab,
  merges,
};
const base = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [special(0, "<unk>"), special(size, "</s>")],
  post_processor: null,
};
const metaspace = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: true };
const variants = {
  metaspace: { ...base, normalizer: null, pre_tokenizer: metaspace, decoder: metaspace, model },
  llama2: {
    ...base,
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "Prepend", prepend: "\u2581" },
        { type: "Replace", pattern: { String: " " }, content: "\u2581" },
      ],
    },
    pre_tokenizer: null,
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: "\u2581" }, content: " " },
        { type: "Fuse" },
        { type: "Strip", content: " ", start: 1, stop: 0 },
      ],
    },
    model,
  },
};
for (const [name, json] of Object.entries(variants)) {
  mkdirSync(resolve(data, name), { recursive: true });
  writeFileSync(resolve(data, name, "tokenizer.json"), `${JSON.stringify(json, null, 1)}\n`);
}
