// data.otel_trace_replay.filter: inference-perf's Python lambda over trace records, read once at start
// (a filter outside the subset stops the run there, naming the construct) and applied to every record
// before sessions are built. A record is what inference-perf's filter sees: a Hugging Face row as it
// is, or a trace file's JSON with the dataset fields inference-perf derives for files (session_id,
// source_id, harness, benchmark, models, max_tokens, total_tokens). A filter that raises on a record
// stops the run too, as `dataset.filter` does there. Pure.
import { UserError } from "../../cli/errors.ts";
import { keeps } from "../py-lambda/eval.ts";
import { type ParsedLambda, parseLambda } from "../py-lambda/parse.ts";
import { FilterSyntaxError } from "../py-lambda/tokens.ts";
import { PyError, type PyValue } from "../py-lambda/values.ts";
import type { Span } from "./otel-spans.ts";

/** Whether a record is kept; `where` names it in an error ("trace "a.json"", "row 3 of …"). */
export type TraceFilter = (record: Record<string, unknown>, where: string) => boolean;

export function compileTraceFilter(source: string | null | undefined, path: string): TraceFilter | null {
  if (source === null || source === undefined || source.trim() === "") return null;
  let lambda: ParsedLambda;
  try {
    lambda = parseLambda(source);
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    throw new UserError(`${path}: cannot use this filter: ${error.what}`, {
      details: [
        source,
        `${" ".repeat(error.at)}^`,
        "A filter is a Python lambda over one trace record: subscripts (x['key'], x.get('key')), comparisons, in, is, and/or/not, arithmetic, string methods and len/str/int/float/bool/abs/min/max/sum/any/all",
      ],
    });
  }
  return (record, where) => {
    try {
      return keeps(lambda, record as PyValue);
    } catch (error) {
      if (!(error instanceof PyError)) throw error;
      throw new UserError(`${path}: the filter raised ${error.pyType}: ${error.message} on ${where}`, {
        details: [source, "Use x.get('key') for a key some records lack"],
      });
    }
  };
}

/**
 * A trace file's JSON as inference-perf's `_normalize_file_trace` presents it to the filter: its own
 * keys, plus session_id (the trace id, else the file's stem), source_id (the path), harness and
 * benchmark ("unknown" when absent), the models its spans requested, and the largest and the summed
 * input + output tokens of a span. The sums are read from the parsed spans, so OTLP files get them too.
 */
export function fileRecord(
  doc: Record<string, unknown>,
  spans: readonly Span[],
  opts: { path: string; stem: string },
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...doc };
  if (!("session_id" in record)) record.session_id = doc.trace_id || opts.stem;
  record.source_id = opts.path;
  if (!("harness" in record)) record.harness = "unknown";
  if (!("benchmark" in record)) record.benchmark = "unknown";
  if (!("models" in record)) {
    const models = new Set<string>();
    for (const span of spans) {
      const model = span.attributes["gen_ai.request.model"];
      if (typeof model === "string" && model !== "") models.add(model);
    }
    record.models = [...models];
  }
  if (!("max_tokens" in record) || !("total_tokens" in record)) {
    let max = 0;
    let total = 0;
    const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    for (const span of spans) {
      const tokens =
        count(span.attributes["gen_ai.usage.input_tokens"]) +
        count(span.attributes["gen_ai.usage.output_tokens"]);
      max = Math.max(max, tokens);
      total += tokens;
    }
    if (!("max_tokens" in record)) record.max_tokens = max;
    if (!("total_tokens" in record)) record.total_tokens = total;
  }
  return record;
}
