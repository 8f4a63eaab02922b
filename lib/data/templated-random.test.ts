import { describe, expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { chatFixtureTokenizer, dataConfig } from "./data.testing.ts";
import { resolveDistribution } from "./distribution.ts";
import { distributionLengths, listLengths } from "./lengths.ts";
import { checkChatTemplate, createTemplatedRandomGenerator } from "./templated-random.ts";
import { chatTemplateOf } from "./tokenizer/chat-template.ts";
import type { Tokenizer } from "./types.ts";

const lengths = distributionLengths(
  resolveDistribution({ type: "uniform", min: 30, max: 400 }),
  resolveDistribution({ type: "uniform", min: 1, max: 50 }),
  3,
);

const LLAMA_LIKE =
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n\\n' + message['content'] | trim + '<|im_end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n\\n' }}{% endif %}";

const templates: [string, () => Tokenizer, { pool?: null }?][] = [
  ["ChatML (message as it is: spliced, exact by construction)", () => chatFixtureTokenizer()],
  [
    "a Llama 3 shape (message trimmed: spliced, its first word counted)",
    () => chatFixtureTokenizer({ chat_template: LLAMA_LIKE, bos_token: "<|endoftext|>" }),
  ],
  [
    "a template that also writes the message's length (no frame: rendered and fitted)",
    () =>
      chatFixtureTokenizer({
        chat_template: "<|im_start|>{{ messages[0].content }}<|im_end|>{{ messages[0].content | length }}",
      }),
  ],
  [
    "ChatML with no exact pool (messages fitted with the tokenizer)",
    () => chatFixtureTokenizer(),
    { pool: null },
  ],
];

describe.each(templates)("createTemplatedRandomGenerator() with %s", (_name, make, extra) => {
  test("every prompt is exactly its input length, the template's tokens included", () => {
    const tokenizer = make();
    const gen = createTemplatedRandomGenerator({
      tokenizer,
      lengths,
      seed: 5,
      template: chatTemplateOf(tokenizer),
    });
    for (let i = 0; i < 60; i++) {
      const item = gen.next(i);
      expect(tokenizer.count(item.prompt)).toBe(lengths.at(i).input);
      expect(item.expectedPromptTokens).toBe(lengths.at(i).input);
      expect(item.clientPromptTokens).toBe(lengths.at(i).input);
      expect(item.maxTokens).toBe(lengths.at(i).output);
    }
  });

  test("the prompt is the template rendered around the user message", () => {
    const tokenizer = make();
    const template = chatTemplateOf(tokenizer);
    const gen = createTemplatedRandomGenerator({ tokenizer, lengths, seed: 5, template, ...extra });
    for (let i = 0; i < 10; i++) {
      const item = gen.next(i);
      expect(item.messages.map((m) => m.role)).toEqual(["user"]);
      expect(template.render(item.messages[0]?.content as string)).toBe(item.prompt);
    }
  });
});

test("the same seed and index give the same prompt in any call order; another seed does not", () => {
  const tokenizer = chatFixtureTokenizer();
  const make = (seed: number) =>
    createTemplatedRandomGenerator({ tokenizer, lengths, seed, template: chatTemplateOf(tokenizer) });
  const a = make(5);
  const b = make(5);
  const forward = [0, 1, 2, 3].map((i) => a.next(i));
  expect([3, 2, 1, 0].map((i) => b.next(i)).reverse()).toEqual(forward);
  expect(make(6).next(0).prompt).not.toBe(forward[0]?.prompt);
});

test("an input length at or below the template's own tokens is refused at start", () => {
  const tokenizer = chatFixtureTokenizer();
  const template = chatTemplateOf(tokenizer);
  const short = listLengths([
    { input: 100, output: 1 },
    { input: template.overhead, output: 1 },
  ]);
  expect(() => createTemplatedRandomGenerator({ tokenizer, lengths: short, seed: 1, template })).toThrow(
    `Cannot use data.use_chat_template: the shortest input length is ${template.overhead} tokens, not above the chat template's own ${template.overhead}`,
  );
  const fits = listLengths([{ input: template.overhead + 1, output: 1 }]);
  const item = createTemplatedRandomGenerator({ tokenizer, lengths: fits, seed: 1, template }).next(0);
  expect(tokenizer.count(item.prompt)).toBe(template.overhead + 1);
});

describe("checkChatTemplate() (the main thread's check before any Worker starts)", () => {
  const data = (min: number) => ({
    type: "random",
    use_chat_template: true,
    input_distribution: { type: "uniform", min, max: 500 },
    output_distribution: { type: "fixed", mean: 10 },
  });

  test("passes a tokenizer with a template and lengths above its tokens", () => {
    expect(() => checkChatTemplate(dataConfig(data(200)), chatFixtureTokenizer())).not.toThrow();
  });

  test("refuses lengths the template cannot fit in, and a tokenizer without a template", () => {
    expect(() => checkChatTemplate(dataConfig(data(3)), chatFixtureTokenizer())).toThrow(UserError);
    expect(() => checkChatTemplate(dataConfig(data(200)), chatFixtureTokenizer({}))).toThrow(
      "has no chat template",
    );
  });

  test("does nothing without data.use_chat_template", () => {
    const plain = { ...data(3), use_chat_template: false };
    expect(() => checkChatTemplate(dataConfig(plain), chatFixtureTokenizer({}))).not.toThrow();
  });
});
