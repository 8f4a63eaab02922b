// PromQL label matchers (`model_name='m'`, `namespace="default"`, `pod=~"vllm-.*"`, `a!="b"`), read
// from the same filter strings the Prometheus source puts into its selectors, so the scrape source
// selects the same series. Pure.

export interface LabelMatcher {
  readonly name: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
  /** For =~ and !~: the value as a fully anchored pattern, as PromQL anchors its regexes. */
  readonly pattern: RegExp | null;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(["'])((?:\\.|(?!\3).)*)\3\s*$/;

/** One matcher, or a message saying why the text is not one. */
export function parseMatcher(text: string): LabelMatcher | string {
  const m = MATCHER.exec(text);
  if (m === null) return `expected a label matcher such as namespace="default", got "${text}"`;
  const [, name, op, , raw] = m as unknown as [string, string, LabelMatcher["op"], string, string];
  const value = raw.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch));
  let pattern: RegExp | null = null;
  if (op === "=~" || op === "!~") {
    try {
      pattern = new RegExp(`^(?:${value})$`, "s");
    } catch {
      return `expected a valid regular expression in "${text}"`;
    }
  }
  return { name, op, value, pattern };
}

/** Whether a series' labels satisfy every matcher (a missing label reads as "", as in PromQL). */
export function matchesAll(
  labels: Readonly<Record<string, string>>,
  matchers: readonly LabelMatcher[],
): boolean {
  for (const m of matchers) {
    const actual = Object.hasOwn(labels, m.name) ? (labels[m.name] as string) : "";
    switch (m.op) {
      case "=":
        if (actual !== m.value) return false;
        break;
      case "!=":
        if (actual === m.value) return false;
        break;
      case "=~":
        if (!(m.pattern as RegExp).test(actual)) return false;
        break;
      case "!~":
        if ((m.pattern as RegExp).test(actual)) return false;
        break;
    }
  }
  return true;
}
