import { describe, expect, test } from "bun:test";
import { type LabelMatcher, matchesAll, parseMatcher } from "./matchers.ts";

const m = (text: string) => parseMatcher(text) as LabelMatcher;

describe("label matchers", () => {
  test.each([
    ["model_name='m'", { model_name: "m" }, true],
    ['namespace="default"', { namespace: "prod" }, false],
    ['pod=~"vllm-.*"', { pod: "vllm-0" }, true],
    // PromQL anchors regexes: a partial match is no match.
    ['pod=~"vllm"', { pod: "vllm-0" }, false],
    ['pod!~"vllm-.*"', { pod: "other" }, true],
    ['a!="b"', {}, true],
    // A missing label reads as the empty string.
    ['a=""', {}, true],
    ["name='it\\'s'", { name: "it's" }, true],
  ])("%s against %j → %p", (text, labels, expected) => {
    expect(matchesAll(labels, [m(text)])).toBe(expected);
  });

  test("text that is not a matcher, or a bad regex, is a message", () => {
    expect(parseMatcher("namespace")).toStartWith("expected a label matcher");
    expect(parseMatcher('a=~"("')).toStartWith("expected a valid regular expression");
  });
});
