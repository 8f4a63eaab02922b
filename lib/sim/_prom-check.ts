// A strict-enough reader of the Prometheus text format (0.0.4) for tests: it parses every line and
// returns the samples, or throws naming the first line that breaks the format. Checks that each
// family is TYPEd before its samples, names and labels are well formed, values are numbers, and
// histogram buckets are cumulative with +Inf equal to _count.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, line: number): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new SyntaxError(`line ${line}: bad value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new SyntaxError(`line ${line}: label without "="`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new SyntaxError(`line ${line}: bad label name "${name}"`);
    if (text[eq + 1] !== '"') throw new SyntaxError(`line ${line}: label value must be quoted`);
    let j = eq + 2;
    let value = "";
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const next = text[++j];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new SyntaxError(`line ${line}: bad escape in label value`);
      } else value += text[j];
    }
    if (j >= text.length) throw new SyntaxError(`line ${line}: unterminated label value`);
    if (name in labels) throw new SyntaxError(`line ${line}: repeated label "${name}"`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new SyntaxError(`line ${line}: expected "," between labels`);
  }
  return labels;
}

export function parsePrometheusText(text: string): PromSample[] {
  if (!text.endsWith("\n")) throw new SyntaxError("text must end with a newline");
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const lines = text.slice(0, -1).split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (m === null) continue; // plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new SyntaxError(`line ${line}: bad metric name "${name}"`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new SyntaxError(`line ${line}: unknown type "${rest}"`);
        if (types.has(name)) throw new SyntaxError(`line ${line}: second TYPE for "${name}"`);
        types.set(name, rest);
      }
      continue;
    }
    if (raw.trim() === "") continue;
    const m = /^([^\s{]+)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(raw);
    if (m === null) throw new SyntaxError(`line ${line}: not a sample: ${raw}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    if (!NAME.test(name)) throw new SyntaxError(`line ${line}: bad metric name "${name}"`);
    const family = types.has(name) ? name : name.replace(/_(bucket|count|sum)$/, "");
    const type = types.get(family);
    if (type === undefined) throw new SyntaxError(`line ${line}: sample "${name}" before its TYPE`);
    if (family !== name && type !== "histogram" && type !== "summary") {
      throw new SyntaxError(`line ${line}: "${name}" suffix on a ${type}`);
    }
    samples.push({ name, labels: parseLabels(labelText ?? "", line), value: parseValue(valueText, line) });
  }
  checkHistograms(samples, types);
  return samples;
}

function checkHistograms(samples: PromSample[], types: Map<string, string>): void {
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const groups = new Map<string, PromSample[]>();
    const key = (s: PromSample) =>
      JSON.stringify(
        Object.entries(s.labels)
          .filter(([k]) => k !== "le")
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    for (const s of samples) {
      if (s.name !== `${family}_bucket`) continue;
      if (s.labels.le === undefined) throw new SyntaxError(`${family}_bucket without an "le" label`);
      groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
    }
    for (const [labels, buckets] of groups) {
      let previous = Number.NEGATIVE_INFINITY;
      let previousLe = Number.NEGATIVE_INFINITY;
      for (const b of buckets) {
        const le = parseValue(b.labels.le as string, 0);
        if (le <= previousLe || b.value < previous)
          throw new SyntaxError(`${family} ${labels}: buckets not cumulative`);
        previous = b.value;
        previousLe = le;
      }
      if (previousLe !== Number.POSITIVE_INFINITY)
        throw new SyntaxError(`${family} ${labels}: no +Inf bucket`);
      const count = samples.find((s) => s.name === `${family}_count` && key(s) === labels);
      if (count?.value !== previous)
        throw new SyntaxError(`${family} ${labels}: +Inf bucket differs from _count`);
    }
  }
}
