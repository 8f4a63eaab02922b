import { describe, expect, test } from "bun:test";
import { UserError } from "../../cli/errors.ts";
import { chatFixtureTokenizer } from "../data.testing.ts";
import { chatTemplateOf } from "./chat-template.ts";
import { defaultTokenizer } from "./default.ts";

// Llama 3's shape: BOS by name, the message trimmed, a header for the assistant's turn.
const LLAMA_LIKE =
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n\\n' + message['content'] | trim + '<|im_end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n\\n' }}{% endif %}";

describe("chatTemplateOf()", () => {
  test("renders one user message and the generation prompt (ChatML)", () => {
    const template = chatTemplateOf(chatFixtureTokenizer());
    expect(template.render("hello there")).toBe(
      "<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("a template that puts the message in as it is has a frame around it", () => {
    expect(chatTemplateOf(chatFixtureTokenizer()).frame).toEqual({
      head: "<|im_start|>user\n",
      tail: "<|im_end|>\n<|im_start|>assistant\n",
      trims: false,
    });
  });

  test("special tokens reach the template by name, and a trimming template has a trimming frame", () => {
    const template = chatTemplateOf(
      chatFixtureTokenizer({ chat_template: LLAMA_LIKE, bos_token: { content: "<|endoftext|>" } }),
    );
    expect(template.render("  hi  ")).toBe(
      "<|endoftext|><|im_start|>user\n\nhi<|im_end|><|im_start|>assistant\n\n",
    );
    expect(template.frame).toEqual({
      head: "<|endoftext|><|im_start|>user\n\n",
      tail: "<|im_end|><|im_start|>assistant\n\n",
      trims: true,
    });
  });

  test("a template that changes the message otherwise has no frame (prompts are rendered)", () => {
    const template = chatTemplateOf(
      chatFixtureTokenizer({ chat_template: "{{ messages[0]['content'] | upper }}!" }),
    );
    expect(template.frame).toBeNull();
    expect(template.render("ab")).toBe("AB!");
  });

  test("the overhead is the tokens around an empty message, special tokens one each", () => {
    const tokenizer = chatFixtureTokenizer();
    const template = chatTemplateOf(tokenizer);
    expect(template.overhead).toBe(tokenizer.count("<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n"));
    expect(tokenizer.encode("<|im_start|>")).toEqual([657]);
  });

  test("a list of named templates uses the one named default, as transformers", () => {
    const template = chatTemplateOf(
      chatFixtureTokenizer({
        chat_template: [
          { name: "tool_use", template: "tools" },
          { name: "default", template: "{{ messages[0].content }}." },
        ],
      }),
    );
    expect(template.render("x")).toBe("x.");
  });

  test("a tokenizer without a chat template is refused, by name, with what to do", () => {
    let error: unknown;
    try {
      chatTemplateOf(defaultTokenizer());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'Cannot use data.use_chat_template: the tokenizer "built-in cl100k_base" has no chat template',
    );
    expect((error as UserError).details?.[0]).toContain("tokenizer.pretrained_model_name_or_path");
  });

  test.each([
    ["does not parse", "{% for m in messages %}"],
    ["raises", "{{ raise_exception('Only system and user roles') }}"],
  ])("a template that %s is a UserError with its reason", (_what, source) => {
    expect(() => chatTemplateOf(chatFixtureTokenizer({ chat_template: source }))).toThrow(
      'Cannot use the chat template of tokenizer "fixtures/data/chat": ',
    );
  });
});
