import { describe, expect, test } from "bun:test";
import { textOf } from "../media/content.ts";
import { fixtureTokenizer } from "./data.testing.ts";
import { fixedDistribution, resolveDistribution } from "./distribution.ts";
import { createSharedPrefixGenerator, type SharedPrefixOptions } from "./shared-prefix.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";
import type { GeneratedRequest } from "./types.ts";

function options(over: Partial<SharedPrefixOptions> = {}): SharedPrefixOptions {
  return {
    tokenizer: defaultTokenizer(),
    numGroups: 4,
    numPromptsPerGroup: 5,
    systemPromptLen: fixedDistribution(120),
    questionLen: resolveDistribution({ type: "uniform", min: 5, max: 60 }),
    outputLen: resolveDistribution({ type: "normal", mean: 40, std_dev: 10, min: 1, max: 100 }),
    seed: 11,
    ...over,
  };
}

function all(gen: { next(i: number): GeneratedRequest; size: number | undefined }): GeneratedRequest[] {
  return Array.from({ length: gen.size ?? 0 }, (_, i) => gen.next(i));
}

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
])("createSharedPrefixGenerator() under %s", (_name, tokenizer) => {
  test("builds num_groups x num_prompts_per_group prompts whose group prefixes are byte-identical", () => {
    const tok = tokenizer();
    const gen = createSharedPrefixGenerator(options({ tokenizer: tok }));
    const items = all(gen);
    expect(items.length).toBe(20);
    const groups = new Map<string, GeneratedRequest[]>();
    for (const item of items) {
      const system = item.messages[0];
      expect(system?.role).toBe("system");
      const list = groups.get(textOf(system?.content ?? "")) ?? [];
      list.push(item);
      groups.set(textOf(system?.content ?? ""), list);
    }
    expect(groups.size).toBe(4);
    for (const [prefix, members] of groups) {
      expect(members.length).toBe(5);
      expect(tok.count(prefix)).toBe(120);
      for (const m of members) expect(m.prompt.startsWith(prefix)).toBe(true);
    }
  });

  test("each prompt is exactly system_prompt_len + its question length", () => {
    const tok = tokenizer();
    const gen = createSharedPrefixGenerator(options({ tokenizer: tok, questionLen: fixedDistribution(33) }));
    for (const item of all(gen)) {
      expect(tok.count(item.prompt)).toBe(153);
      expect(item.expectedPromptTokens).toBe(153);
    }
  });
});

test("chat messages hold the system prompt and the question; the completion prompt joins them", () => {
  const item = createSharedPrefixGenerator(options()).next(0);
  const [system, user] = item.messages;
  expect(user?.role).toBe("user");
  expect(item.prompt.startsWith(textOf(system?.content ?? "!"))).toBe(true);
  expect(item.prompt.endsWith(textOf(user?.content ?? "!"))).toBe(true);
  expect(textOf(user?.content ?? "").startsWith(" ")).toBe(false);
});

test("output lengths follow output_len and become max_tokens", () => {
  const items = all(createSharedPrefixGenerator(options({ outputLen: fixedDistribution(77) })));
  expect(new Set(items.map((i) => i.maxTokens))).toEqual(new Set([77]));
});

test("the same seed gives the same prompts in the same order; another seed does not", () => {
  const a = all(createSharedPrefixGenerator(options()));
  expect(all(createSharedPrefixGenerator(options()))).toEqual(a);
  expect(all(createSharedPrefixGenerator(options({ seed: 12 })))[0]?.prompt).not.toBe(a[0]?.prompt);
});

test("requests cycle through the prompts", () => {
  const gen = createSharedPrefixGenerator(options());
  expect(gen.next(20)).toEqual(gen.next(0));
  expect(gen.next(47)).toEqual(gen.next(7));
});

test("a zero-length system prompt leaves only the user message", () => {
  const item = createSharedPrefixGenerator(options({ systemPromptLen: fixedDistribution(0) })).next(0);
  expect(item.messages.map((m) => m.role)).toEqual(["user"]);
});
