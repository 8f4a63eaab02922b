import { describe, expect, test } from "bun:test";
import { mediaProblems } from "./check-media.ts";
import { build, oneStage } from "./facts.testing.ts";

const image = { image: { count: { type: "fixed", min: 1, max: 1, mean: 1 } } };
const problems = (data: Record<string, unknown>, api = "chat") =>
  mediaProblems(build({ api: { type: api }, data, load: oneStage }).config);

describe("mediaProblems()", () => {
  test.each([
    ["synthetic with data.multimodal", { type: "synthetic", multimodal: image }],
    ["shared_prefix with prefix media", { type: "shared_prefix", shared_prefix: { multimodal: image } }],
    ["shared_prefix with question media", { type: "shared_prefix", multimodal: image }],
    [
      "shared_prefix with both",
      { type: "shared_prefix", multimodal: image, shared_prefix: { multimodal: image } },
    ],
    ["visionarena", { type: "visionarena" }],
  ])("%s over chat: no problem", (_name, data) => {
    expect(problems(data)).toEqual([]);
  });

  test("data.multimodal with a type that does not read it is refused by name", () => {
    expect(problems({ type: "random", multimodal: image })).toEqual([
      'data.multimodal: expected data.type "synthetic" or "shared_prefix" (the types that read it), got "random"',
    ]);
  });

  test.each([
    ["data.multimodal", { type: "shared_prefix", multimodal: image }],
    ["data.shared_prefix.multimodal", { type: "shared_prefix", shared_prefix: { multimodal: image } }],
  ])("%s with shared_prefix needs the chat API", (what, data) => {
    expect(problems(data, "completion")).toEqual([
      `api.type: expected "chat" for ${what} (media travel in chat content), got "completion"`,
    ]);
  });

  test("shared-prefix media with multi-turn chat are refused (conversations carry text only)", () => {
    expect(
      problems({ type: "shared_prefix", shared_prefix: { enable_multi_turn_chat: true, multimodal: image } }),
    ).toEqual([
      "data.shared_prefix.enable_multi_turn_chat: expected false with data.shared_prefix.multimodal (multi-turn conversations carry text only, as in inference-perf), got true",
    ]);
  });

  test("a text-only shared prefix over completion is fine", () => {
    expect(problems({ type: "shared_prefix", shared_prefix: {} }, "completion")).toEqual([]);
  });
});

describe("data.use_chat_template's API", () => {
  const random = { type: "random", use_chat_template: true };

  test("the completion API takes the templated prompt", () => {
    expect(problems(random, "completion")).toEqual([]);
  });

  test("the chat API is refused: the server would apply its template a second time", () => {
    expect(problems(random, "chat")).toEqual([
      'api.type: expected "completion" for data.use_chat_template (the templated prompt is sent as a completion prompt; a chat server applies the template itself), got "chat"',
    ]);
  });

  test("server-side counting is refused: the lengths are the template's tokenizer's", () => {
    const c = build({
      api: { type: "completion" },
      data: random,
      load: oneStage,
      tokenizer: { use_server_tokenize: true },
    }).config;
    expect(mediaProblems(c)).toEqual([
      "tokenizer.use_server_tokenize: expected false with data.use_chat_template (templated lengths are counted by the tokenizer whose template they use), got true",
    ]);
  });
});
