import { expect, test } from "bun:test";
import { listLengths } from "../data/lengths.ts";
import { createRandomGenerator } from "../data/random.ts";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import { resolveSimOptions } from "./options.ts";
import { startSimOnFreePort } from "./start.ts";
import { countWords } from "./state.ts";

test.each([
  ["", 0],
  ["one", 1],
  [" alpha beta", 2],
  ["  spaced \t out\n\nwords  ", 3],
  ["a\u00a0b\u3000c", 3],
])("countWords(%j) is %p", (text, words) => {
  expect(countWords(text)).toBe(words);
});

test("the simulator rejects an unknown prompt-count mode, naming the choices", () => {
  expect(() => resolveSimOptions({ promptCount: "bytes" })).toThrow(
    'promptCount: expected tokenizer or words, got "bytes"',
  );
});

test("--prompt-count words reports exactly the client's count for random prompts, as the tokenizer does", async () => {
  const tokenizer = defaultTokenizer();
  const gen = createRandomGenerator({
    tokenizer,
    lengths: listLengths([
      { input: 300, output: 1 },
      { input: 7, output: 1 },
    ]),
    seed: 3,
  });
  const usage = async (promptCount: "words" | "tokenizer", prompt: string) => {
    const sim = await startSimOnFreePort({ prefillMs: 0, itlMs: 0, promptCount });
    try {
      const res = await fetch(`${sim.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "sim-model", prompt, max_tokens: 1 }),
      });
      return ((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
    } finally {
      await sim.stop();
    }
  };
  for (const index of [0, 1]) {
    const item = gen.next(index);
    expect(await usage("words", item.prompt)).toBe(item.expectedPromptTokens!);
    expect(await usage("tokenizer", item.prompt)).toBe(item.expectedPromptTokens!);
  }
  // Elsewhere words are an estimate: punctuation and digits are their own tokens.
  expect(await usage("words", "Hello, world! 12345")).toBe(3);
});
