// An OTel trace document → its spans, in one flat shape. Two layouts are read: inference-perf's flat
// export (`{"trace_id", "spans": [{"span_id", "parent_span_id", "start_time": ISO, "attributes": {}}]}`)
// and the OTLP/JSON export (`{"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId",
// "startTimeUnixNano", "attributes": [{"key", "value": {"stringValue"}}]}]}]}]}`). Pure: the caller
// reads the file; problems come back as messages, never as a stack.

/** One span, whichever layout it came from. Times are ms since the Unix epoch (fractions kept). */
export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  endMs: number | null;
  attributes: Record<string, unknown>;
  /** OTel status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

export interface TraceDocument {
  /** `session_id`, else `trace_id` of the document (null when it has neither). */
  sessionId: string | null;
  spans: Span[];
}

export type ParseResult = { ok: true; trace: TraceDocument } | { ok: false; problem: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (Array.isArray(v) ? "a list" : v === null ? "null" : typeof v);

export function parseTraceDocument(doc: unknown): ParseResult {
  if (!isObject(doc)) return { ok: false, problem: `expected a JSON object, got ${describe(doc)}` };
  const id = (key: string) => (typeof doc[key] === "string" && doc[key] !== "" ? (doc[key] as string) : null);
  const sessionId = id("session_id") ?? id("trace_id");
  if (Array.isArray(doc.spans)) {
    const spans: Span[] = [];
    for (const [i, raw] of doc.spans.entries()) {
      const span = flatSpan(raw);
      if (typeof span === "string") return { ok: false, problem: `spans[${i}]: ${span}` };
      spans.push(span);
    }
    return { ok: true, trace: { sessionId, spans } };
  }
  if (Array.isArray(doc.resourceSpans)) return otlpDocument(doc.resourceSpans, sessionId);
  return {
    ok: false,
    problem: `expected a "spans" list (or OTLP "resourceSpans"), got ${Object.keys(doc).length === 0 ? "an empty object" : `keys ${Object.keys(doc).slice(0, 5).join(", ")}`}`,
  };
}

function flatSpan(raw: unknown): Span | string {
  if (!isObject(raw)) return `expected an object, got ${describe(raw)}`;
  const spanId = raw.span_id;
  if (typeof spanId !== "string" || spanId === "")
    return `expected a span_id string, got ${describe(spanId)}`;
  const start = parseIsoMs(raw.start_time);
  if (start === null)
    return `span "${spanId}": expected an ISO-8601 start_time, got ${JSON.stringify(raw.start_time)}`;
  let end: number | null = null;
  if (raw.end_time !== undefined && raw.end_time !== null && raw.end_time !== "") {
    end = parseIsoMs(raw.end_time);
    if (end === null)
      return `span "${spanId}": expected an ISO-8601 end_time, got ${JSON.stringify(raw.end_time)}`;
  }
  const attributes = raw.attributes;
  if (attributes !== undefined && attributes !== null && !isObject(attributes))
    return `span "${spanId}": expected attributes to be an object, got ${describe(attributes)}`;
  const status = isObject(raw.status) ? raw.status : {};
  return {
    spanId,
    parentSpanId:
      typeof raw.parent_span_id === "string" && raw.parent_span_id !== "" ? raw.parent_span_id : null,
    name: typeof raw.name === "string" ? raw.name : "",
    startMs: start,
    endMs: end,
    attributes: (attributes as Json | undefined) ?? {},
    statusCode: statusCode(status.code),
    statusMessage: typeof status.message === "string" ? status.message : "",
  };
}

function otlpDocument(resourceSpans: unknown[], sessionId: string | null): ParseResult {
  const spans: Span[] = [];
  for (const [r, resource] of resourceSpans.entries()) {
    const scopes = isObject(resource) ? (resource.scopeSpans ?? resource.instrumentationLibrarySpans) : null;
    if (!Array.isArray(scopes))
      return { ok: false, problem: `resourceSpans[${r}]: expected a "scopeSpans" list` };
    for (const [s, scope] of scopes.entries()) {
      const list = isObject(scope) ? scope.spans : null;
      if (!Array.isArray(list))
        return { ok: false, problem: `resourceSpans[${r}].scopeSpans[${s}]: expected a "spans" list` };
      for (const [i, raw] of list.entries()) {
        const span = otlpSpan(raw);
        if (typeof span === "string")
          return { ok: false, problem: `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]: ${span}` };
        spans.push(span);
      }
    }
  }
  return { ok: true, trace: { sessionId, spans } };
}

function otlpSpan(raw: unknown): Span | string {
  if (!isObject(raw)) return `expected an object, got ${describe(raw)}`;
  const spanId = raw.spanId;
  if (typeof spanId !== "string" || spanId === "") return `expected a spanId string, got ${describe(spanId)}`;
  const start = nanosToMs(raw.startTimeUnixNano);
  if (start === null)
    return `span "${spanId}": expected startTimeUnixNano, got ${JSON.stringify(raw.startTimeUnixNano)}`;
  const attributes: Json = {};
  if (Array.isArray(raw.attributes)) {
    for (const entry of raw.attributes) {
      if (isObject(entry) && typeof entry.key === "string") attributes[entry.key] = anyValue(entry.value);
    }
  }
  const status = isObject(raw.status) ? raw.status : {};
  return {
    spanId,
    parentSpanId: typeof raw.parentSpanId === "string" && raw.parentSpanId !== "" ? raw.parentSpanId : null,
    name: typeof raw.name === "string" ? raw.name : "",
    startMs: start,
    endMs: nanosToMs(raw.endTimeUnixNano),
    attributes,
    statusCode: statusCode(status.code),
    statusMessage: typeof status.message === "string" ? status.message : "",
  };
}

/** OTLP's AnyValue → a plain value (arrays and maps recursively). */
function anyValue(value: unknown): unknown {
  if (!isObject(value)) return value;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return Number(value.doubleValue);
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if (isObject(value.kvlistValue)) {
    const out: Json = {};
    const values = value.kvlistValue.values;
    if (Array.isArray(values))
      for (const kv of values)
        if (isObject(kv) && typeof kv.key === "string") out[kv.key] = anyValue(kv.value);
    return out;
  }
  return null;
}

function statusCode(code: unknown): number {
  if (typeof code === "number") return code;
  if (code === "STATUS_CODE_ERROR" || code === "ERROR") return 2;
  if (code === "STATUS_CODE_OK" || code === "OK") return 1;
  return 0;
}

function nanosToMs(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value / 1e6;
  if (typeof value === "string" && /^\d+$/.test(value)) {
    // Nanoseconds since the epoch exceed 2^53: split so the millisecond part stays exact.
    const ms = value.length > 6 ? Number(value.slice(0, -6)) : 0;
    const rest = value.length > 6 ? Number(value.slice(-6)) : Number(value);
    return ms + rest / 1e6;
  }
  return null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO-8601 timestamp → ms since the epoch, as Python's `datetime.fromisoformat` reads it: no zone
 * means UTC (JavaScript's Date would read local time), fractions to the nanosecond are kept.
 */
export function parseIsoMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = ISO.exec(value.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const whole = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(whole)) return null;
  const fraction = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  let offsetMin = 0;
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return whole + fraction - offsetMin * 60_000;
}
