// Hand-written OTel traces for tests: a span is a few fields, the rest is filled in.

export interface SpanSpec {
  id: string;
  /** Start and end, seconds after 2026-01-01T00:00:00Z. */
  start: number;
  end: number;
  /** Input messages as [role, content] pairs. */
  input: [string, string][];
  output?: string;
  parent?: string | null;
  /** OTel status code (2 = error). */
  status?: number;
  promptTokens?: number;
  completionTokens?: number;
  name?: string;
  attributes?: Record<string, unknown>;
}

function iso(seconds: number): string {
  return new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().replace("Z", "000");
}

export function span(spec: SpanSpec): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4",
    "gen_ai.input.messages": JSON.stringify(spec.input.map(([role, content]) => ({ role, content }))),
    ...(spec.output === undefined ? {} : { "gen_ai.output.text": spec.output }),
    ...(spec.promptTokens === undefined ? {} : { "gen_ai.usage.prompt_tokens": spec.promptTokens }),
    ...(spec.completionTokens === undefined
      ? {}
      : { "gen_ai.usage.completion_tokens": spec.completionTokens }),
    ...spec.attributes,
  };
  return {
    trace_id: "t1",
    span_id: spec.id,
    parent_span_id: spec.parent ?? null,
    name: spec.name ?? "chat gpt-4",
    start_time: iso(spec.start),
    end_time: iso(spec.end),
    attributes,
    status: { code: spec.status ?? 1, message: spec.status === 2 ? "boom" : "" },
  };
}

/** A whole trace document with the given spans (plus any extra non-LLM spans). */
export function trace(specs: SpanSpec[], extra: Record<string, unknown>[] = []): Record<string, unknown> {
  return { trace_id: "t1", spans: [...specs.map(span), ...extra] };
}

/** A span that is not an LLM call (an agent or tool span), for parent links. */
export function plainSpan(id: string, parent: string | null, start = 0, end = 10): Record<string, unknown> {
  return {
    trace_id: "t1",
    span_id: id,
    parent_span_id: parent,
    name: "agent step",
    start_time: iso(start),
    end_time: iso(end),
    attributes: {},
    status: { code: 1 },
  };
}
