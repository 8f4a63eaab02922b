// A forgiving reader of the Prometheus text exposition format (0.0.4, and the OpenMetrics lines a
// scrape may carry: `# EOF`, exemplars): every well-formed sample line becomes a sample, a malformed
// line is counted and skipped, so one bad line from an engine costs one series, not the scrape. Pure.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: Sample[];
  /** `# TYPE` declarations by family name. */
  readonly types: ReadonlyMap<string, string>;
  /** Lines that were neither comments, blank, nor a well-formed sample. */
  readonly badLines: number;
  /** Sample lines passed over by `keep`. */
  readonly skipped: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A sample value as Go's ParseFloat reads the format's values: decimals, ±Inf, NaN. */
export function parseSampleValue(text: string): number | null {
  if (NUMBER.test(text)) return Number(text);
  switch (text.toLowerCase()) {
    case "+inf":
    case "inf":
      return Number.POSITIVE_INFINITY;
    case "-inf":
      return Number.NEGATIVE_INFINITY;
    case "nan":
      return Number.NaN;
    default:
      return null;
  }
}

/**
 * `keep`: which sample names to read; other lines are skipped after their name, unparsed and
 * uncounted (an engine's /metrics is mostly families no report reads).
 */
export function parseExposition(text: string, keep?: (name: string) => boolean): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  let badLines = 0;
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, "");
    start = end + 1;
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
      if (m !== null) types.set(m[1] as string, (m[2] as string).toLowerCase());
      continue;
    }
    if (keep !== undefined && !keep(sampleName(line))) {
      skipped++;
      continue;
    }
    const sample = parseSampleLine(line);
    if (sample === null) badLines++;
    else samples.push(sample);
  }
  return { samples, types, badLines, skipped };
}

/** The metric name a sample line starts with (up to `{` or a blank). */
function sampleName(line: string): string {
  let i = 0;
  while (i < line.length && line[i] !== "{" && line[i] !== " " && line[i] !== "\t") i++;
  return line.slice(0, i);
}

/** One sample line: `name{label="value",…} value [timestamp] [# exemplar]`, or null when malformed. */
export function parseSampleLine(line: string): Sample | null {
  let i = 0;
  const n = line.length;
  while (i < n && line[i] !== "{" && line[i] !== " " && line[i] !== "\t") i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) return null;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] === "}") {
        i++;
        break;
      }
      const eq = line.indexOf("=", i);
      if (eq < 0) return null;
      const labelName = line.slice(i, eq).trim();
      if (!LABEL_NAME.test(labelName) || Object.hasOwn(labels, labelName)) return null;
      i = eq + 1;
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] !== '"') return null;
      i++;
      // Copy runs between escapes in one slice each, not character by character.
      let value = "";
      let closed = false;
      for (;;) {
        const quote = line.indexOf('"', i);
        const slash = line.indexOf("\\", i);
        if (quote < 0) break;
        if (slash < 0 || quote < slash) {
          value += line.slice(i, quote);
          i = quote + 1;
          closed = true;
          break;
        }
        value += line.slice(i, slash);
        const next = line[slash + 1];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else return null;
        i = slash + 2;
      }
      if (!closed) return null;
      // A label may be called `__proto__`: define it, so it is a label and not the prototype.
      if (labelName === "__proto__")
        Object.defineProperty(labels, labelName, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else labels[labelName] = value;
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") return null;
    }
  }
  // What follows: the value, an optional integer timestamp, then an optional OpenMetrics exemplar.
  const rest = line.slice(i);
  const hash = rest.indexOf("#");
  const fields = (hash < 0 ? rest : rest.slice(0, hash)).trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === "" || !/^[ \t]/.test(rest)) return null;
  const value = parseSampleValue(fields[0] as string);
  if (value === null) return null;
  if (fields.length === 2 && !/^-?\d+(?:\.\d+)?$/.test(fields[1] as string)) return null;
  return { name, labels, value };
}
