import { describe, expect, test } from "bun:test";
import { type ContentPart, joinContent, textOf, weave } from "./content.ts";

const image: ContentPart = { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } };
const text = (t: string): ContentPart => ({ type: "text", text: t });

describe("joinContent()", () => {
  test.each([
    [
      "text meets text: one space inside the merged part",
      [text("prefix")],
      [text("question")],
      [text("prefix question")],
    ],
    [
      "media end the prefix: a space part of its own",
      [text("p"), image],
      [text("q")],
      [text("p"), image, text(" "), text("q")],
    ],
    [
      "media start the question: a space part of its own",
      [text("p")],
      [image, text("q")],
      [text("p"), text(" "), image, text("q")],
    ],
    ["an empty side adds nothing", [], [text("q"), image], [text("q"), image]],
    ["both sides empty", [], [], []],
  ] as const)("%s", (_name, prefix, question, joined) => {
    expect(joinContent(prefix, question)).toEqual(joined as unknown as ContentPart[]);
  });

  test("the joined text is the prefix's, a space, and the question's", () => {
    const joined = joinContent(
      weave("shared prefix", [{ parts: [image], point: 0.5 }]),
      weave("the question", []),
    );
    expect(textOf(joined)).toBe("shared prefix the question");
  });
});
