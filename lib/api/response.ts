// Per-request response reader: the worker feeds it the status, the body bytes with their receive
// times, and the end; it returns what the request measured (token event times, usage, failure).
// Pure: times come in as arguments; no clock, no I/O. Runs on the worker's hot path, so it parses
// only event payloads (at most one JSON.parse each; ordinary token chunks shaped like an earlier one
// are read without parsing, see chunk-template.ts) and tokenizes the output text at most once, after the
// end time has been taken (so counting never inflates request latency, inference-perf quirk 7), and by
// default only when the server sent no usage (see `countOutput`). What it keeps is bounded: the output
// text up to output-count.ts's budget (counting is linear in it), 8 KiB of an error body; only a
// unary success's body is kept whole, to parse it, and the transport caps that (load.max_response_bytes).
import type { Tokenizer } from "../data/types.ts";
import { createSseParser, type SseParser } from "../http/sse.ts";
import type { FailureKind } from "../record/record.ts";
import { type ChunkTemplate, learnTemplate, matchTemplate } from "./chunk-template.ts";
import { errorBodyMessage, messageOf } from "./failure.ts";
import { createOutputCounter, type OutputCounter } from "./output-count.ts";
import { readUsage, type Usage } from "./usage.ts";

export interface ResponseOutcome {
  /** Receive time (ms, shared clock) of every token-bearing event; empty for unary responses. */
  tokenEventMs: number[];
  failure: FailureKind | null;
  errorMessage: string;
  status: number;
  /** usage.prompt_tokens, else the client's count from `countPromptTokens`, else -1. */
  promptTokens: number;
  promptTokensSource: "server" | "client";
  cachedPromptTokens: number;
  /** Output tokens by the tokenizer over all received text (content + reasoning + tool arguments); -1 when not counted. */
  clientOutputTokens: number;
  /** usage.completion_tokens, -1 when absent. */
  serverOutputTokens: number;
  /**
   * With `checkJson`: whether a successful response's output text (content only, not reasoning) is
   * one JSON value, as api.response_format asks; null when not checked or the request failed.
   */
  outputJson: "valid" | "invalid" | null;
  /** Whether the server's usage carried prompt_tokens_details.cached_tokens (so 0 means "no hit"). */
  cacheReported: boolean;
  /** The reply's text (content only, no reasoning), with `keepReply`; else null. */
  replyText: string | null;
  /** The tool calls the reply made, in order, with `keepReply`; else null. */
  replyToolCalls: ToolCallOut[] | null;
}

/** One tool call of a reply: its id, function name and arguments (a JSON string, as sent). */
export interface ToolCallOut {
  id: string;
  name: string;
  arguments: string;
}

/** Tool calls assembled from a reply's pieces, by their index in the reply. */
class ToolCalls {
  readonly #calls = new Map<number, ToolCallOut>();
  /** Bumped by every change: a chunk that changed it must not become a parsing template. */
  version = 0;

  add(index: number, part: { id?: unknown; name?: unknown; arguments?: unknown }): void {
    let call = this.#calls.get(index);
    if (call === undefined) this.#calls.set(index, (call = { id: "", name: "", arguments: "" }));
    if (typeof part.id === "string" && part.id !== "") call.id = part.id;
    if (typeof part.name === "string") call.name += part.name;
    if (typeof part.arguments === "string") call.arguments += part.arguments;
    this.version++;
  }

  list(): ToolCallOut[] {
    return [...this.#calls.entries()].sort((a, b) => a[0] - b[0]).map(([, call]) => call);
  }
}

export interface ResponseReaderOptions {
  streamed: boolean;
  apiType: string;
  /** Counts the client-side output tokens; null skips counting (clientOutputTokens = -1). */
  tokenizer: Tokenizer | null;
  /**
   * "fallback" (default): count output tokens with the tokenizer only when the server sent no
   * usage.completion_tokens. "always": count every response, as inference-perf does, which feeds
   * token_count_mismatches but costs the worker about 0.2-1 ms per 500 output tokens, time during which
   * it cannot stamp other responses' reads.
   */
  countOutput?: "fallback" | "always" | undefined;
  /** Client prompt count, called only when the server reports no usage.prompt_tokens. */
  countPromptTokens?: (() => number) | undefined;
  /**
   * JSON.parse every stream event instead of reusing the shape of earlier token chunks
   * (chunk-template.ts). Same outcome, slower; the reference the fast path is tested against.
   */
  exactParse?: boolean | undefined;
  /** Parse the output text as JSON at the end (api.response_format); reads every event in full. */
  checkJson?: boolean | undefined;
  /**
   * Keep the reply text (sessions build the next turn from it): the content strings the parser already
   * made, joined once after the end time has been taken.
   */
  keepReply?: boolean | undefined;
}

export interface ResponseReader {
  onHeaders(status: number, atMs: number): void;
  onData(chunk: Uint8Array, atMs: number): void;
  finish(atMs: number): ResponseOutcome;
}

/** Keep at most this much of a non-2xx body, or of a stream that is not SSE, for the error message. */
const maxRawBytes = 8192;

export function createResponseReader(options: ResponseReaderOptions): ResponseReader {
  const { streamed, tokenizer } = options;
  const anthropic = options.apiType === "anthropic_messages";
  const readEvent = anthropic ? readAnthropicEvent : readChunk;
  const tokenEventMs: number[] = [];
  const output: OutputCounter | null = tokenizer === null ? null : createOutputCounter(tokenizer);
  // Content only (no reasoning), kept when the output is to be checked as JSON.
  const contentParts: string[] | null = options.checkJson === true || options.keepReply === true ? [] : null;
  const toolCalls = options.keepReply === true ? new ToolCalls() : null;
  const usage: Usage = { promptTokens: -1, completionTokens: -1, cachedTokens: -1 };
  let status = 0;
  let failure: FailureKind | null = null;
  let errorMessage = "";
  let eventAtMs = 0;
  let events = 0;
  let raw: Uint8Array[] = [];
  let rawBytes = 0;
  let sse: SseParser | null = null;
  // The JSON check reads every event in full. Keeping the reply does not need to: a template knows
  // whether its one string was content (it was learned from a chunk whose only text was content).
  const fastPath = options.exactParse !== true && options.checkJson !== true;
  let template: ChunkTemplate | null = null;
  let templateIsContent = false;
  const chunkTexts: string[] = []; // scratch: the output strings of the chunk being read

  function fail(kind: FailureKind, message: string): void {
    if (failure !== null) return; // the first failure is the cause; later ones are consequences
    failure = kind;
    errorMessage = message;
  }

  function onEvent(data: string): void {
    events++;
    if (data === "[DONE]") return;
    if (template !== null) {
      const text = matchTemplate(template, data);
      if (text !== null) {
        if (text.length > 0) {
          tokenEventMs.push(eventAtMs);
          output?.add(text);
          if (contentParts !== null && templateIsContent) contentParts.push(text);
        }
        return;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      fail("parse_error", `Invalid JSON in stream event: ${data.slice(0, 200)}`);
      return;
    }
    const error = errorOf(parsed);
    if (error !== undefined) fail("stream_error", error);
    chunkTexts.length = 0;
    const contentBefore = contentParts?.length ?? 0;
    const toolsBefore = toolCalls?.version ?? 0;
    const carries = readEvent(parsed, usage, chunkTexts, contentParts, toolCalls);
    if (carries) tokenEventMs.push(eventAtMs);
    if (output !== null) for (const text of chunkTexts) output.add(text);
    // One token string and nothing else of note: later chunks of the same shape skip JSON.parse.
    // (Not a tool-call piece that is kept: a template reads its text, not which call it belongs to.)
    const toolPiece = (toolCalls?.version ?? 0) !== toolsBefore;
    if (fastPath && chunkTexts.length === 1 && error === undefined && !hasUsage(parsed) && !toolPiece) {
      const learned = learnTemplate(data, chunkTexts[0] as string);
      if (learned !== null) {
        template = learned;
        templateIsContent = (contentParts?.length ?? 0) - contentBefore === 1;
      }
    }
  }

  function keepRaw(chunk: Uint8Array): void {
    if (rawBytes >= maxRawBytes) return;
    raw.push(chunk.slice(0, maxRawBytes - rawBytes));
    rawBytes += Math.min(chunk.length, maxRawBytes - rawBytes);
  }

  return {
    onHeaders(code) {
      status = code;
      if (streamed && code >= 200 && code < 300) sse = createSseParser(onEvent);
    },
    onData(chunk, atMs) {
      if (sse !== null) {
        eventAtMs = atMs;
        sse.push(chunk);
        // A server that ignores `stream` answers in plain JSON: keep reads until one yields an event
        // (the body is needed only when none does, so a read that did need not be copied).
        if (events === 0) keepRaw(chunk);
      } else if (status >= 200 && status < 300) {
        raw.push(chunk.slice()); // unary success: the whole body is needed (copied: the transport may reuse its buffer)
        rawBytes += chunk.length;
      } else keepRaw(chunk);
    },
    finish(atMs) {
      eventAtMs = atMs;
      const body = () => decodeAll(raw, rawBytes);
      if (status < 200 || status >= 300) {
        fail("http_status", errorBodyMessage(body()) || `HTTP ${status}`);
      } else if (sse !== null) {
        sse.end();
        if (events === 0) notSse(body(), fail);
      } else {
        const texts: string[] | null = output === null ? null : [];
        readUnary(body(), usage, texts, contentParts, anthropic, fail, toolCalls);
        if (output !== null && texts !== null) for (const text of texts) output.add(text);
      }
      raw = [];
      const server = usage.promptTokens >= 0;
      const prompt = server ? usage.promptTokens : (options.countPromptTokens?.() ?? -1);
      return {
        tokenEventMs,
        failure,
        errorMessage,
        status,
        promptTokens: prompt,
        promptTokensSource: server ? "server" : "client",
        cachedPromptTokens: Math.max(0, usage.cachedTokens),
        clientOutputTokens:
          output !== null && (options.countOutput === "always" || usage.completionTokens < 0)
            ? output.count()
            : -1,
        serverOutputTokens: usage.completionTokens,
        outputJson:
          options.checkJson !== true || contentParts === null || failure !== null
            ? null
            : jsonOutcome(contentParts.join("")),
        cacheReported: usage.cachedTokens >= 0,
        replyText: options.keepReply === true && contentParts !== null ? contentParts.join("") : null,
        replyToolCalls: toolCalls === null ? null : toolCalls.list(),
      };
    },
  };
}

/**
 * Reads one streamed chunk: usage into `usage`, output text into `text`. True when the chunk carries
 * output: non-empty `choices[0].text` (completions), `delta.content`, `delta.reasoning` /
 * `delta.reasoning_content` (reasoning models) or tool-call argument text. inference-perf looks only at
 * text/content, so a reasoning model's thinking phase would not count towards TTFT there.
 */
export function readChunk(
  value: unknown,
  usage: Usage,
  text: string[] | null,
  content: string[] | null = null,
  tools: ToolCalls | null = null,
): boolean {
  if (value === null || typeof value !== "object") return false;
  const chunk = value as { usage?: unknown; choices?: unknown };
  if (chunk.usage !== undefined && chunk.usage !== null) readUsage(chunk.usage, usage);
  const choice = Array.isArray(chunk.choices)
    ? (chunk.choices[0] as Record<string, unknown> | undefined)
    : undefined;
  if (choice === undefined || choice === null || typeof choice !== "object") return false;
  let carries = addText(choice.text, text);
  addText(choice.text, content);
  const delta = choice.delta;
  if (delta !== null && typeof delta === "object") {
    const d = delta as Record<string, unknown>;
    // Reasoning first: servers stream thinking before the answer, and the text order feeds the tokenizer.
    carries = addText(d.reasoning_content ?? d.reasoning, text) || carries;
    carries = addText(d.content, text) || carries;
    addText(d.content, content);
    if (Array.isArray(d.tool_calls)) {
      for (const [k, call] of d.tool_calls.entries()) {
        const c = call as {
          index?: unknown;
          id?: unknown;
          function?: { name?: unknown; arguments?: unknown };
        } | null;
        const fn = c?.function;
        carries = addText(fn?.arguments, text) || carries;
        if (tools !== null && c !== null && typeof c === "object")
          tools.add(typeof c.index === "number" ? c.index : k, {
            id: c.id,
            name: fn?.name,
            arguments: fn?.arguments,
          });
      }
    }
  }
  return carries;
}

function addText(value: unknown, text: string[] | null): boolean {
  if (typeof value !== "string" || value.length === 0) return false;
  text?.push(value);
  return true;
}

function hasUsage(value: unknown): boolean {
  const usage = (value as { usage?: unknown } | null)?.usage;
  return usage !== undefined && usage !== null;
}

/** The message of an `error` object inside a 2xx body or stream event, if there is one. */
function errorOf(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || !("error" in value)) return undefined;
  const error = (value as { error: unknown }).error;
  if (error === null || error === undefined) return undefined;
  return messageOf(error) ?? "error";
}

/** A unary (non-streamed) 2xx body: `choices[0].text` or `choices[0].message.{content,reasoning…}`. */
function readUnary(
  body: string,
  usage: Usage,
  text: string[] | null,
  content: string[] | null,
  anthropic: boolean,
  fail: (kind: FailureKind, message: string) => void,
  tools: ToolCalls | null,
): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    fail("parse_error", `Invalid JSON response body: ${body.slice(0, 200)}`);
    return;
  }
  const error = errorOf(parsed);
  if (error !== undefined) {
    fail("stream_error", error);
    return;
  }
  if (anthropic) {
    readAnthropicMessage(parsed, usage, text, content, fail, tools);
    return;
  }
  const value = parsed as { choices?: unknown; usage?: unknown } | null;
  if (value?.usage !== undefined) readUsage(value.usage, usage);
  const choice = Array.isArray(value?.choices)
    ? (value.choices[0] as Record<string, unknown> | undefined)
    : undefined;
  if (choice === undefined || choice === null) {
    fail("parse_error", "Response has no choices");
    return;
  }
  addText(choice.text, text);
  addText(choice.text, content);
  const message = choice.message as Record<string, unknown> | null | undefined;
  if (message !== null && typeof message === "object") {
    addText(message.reasoning_content ?? message.reasoning, text);
    addText(message.content, text);
    addText(message.content, content);
    if (tools !== null && Array.isArray(message.tool_calls)) {
      for (const [k, call] of message.tool_calls.entries()) {
        const c = call as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
        if (c !== null && typeof c === "object")
          tools.add(k, { id: c.id, name: c.function?.name, arguments: c.function?.arguments });
      }
    }
  }
}

/**
 * One event of Anthropic's Messages stream: usage from `message_start` (`message.usage`) and
 * `message_delta` (`usage`), output from `content_block_delta` (`text_delta`, `thinking_delta`,
 * `input_json_delta`) and from a `content_block_start` that opens with text. True when it carries output.
 */
export function readAnthropicEvent(
  value: unknown,
  usage: Usage,
  text: string[] | null,
  content: string[] | null = null,
  tools: ToolCalls | null = null,
): boolean {
  if (value === null || typeof value !== "object") return false;
  const event = value as Record<string, unknown>;
  if (event.usage !== undefined && event.usage !== null) readAnthropicUsage(event.usage, usage);
  const message = event.message as Record<string, unknown> | null | undefined;
  if (message !== null && typeof message === "object" && message.usage !== undefined)
    readAnthropicUsage(message.usage, usage);
  const type = event.type;
  if (type === "content_block_delta") {
    const delta = event.delta as Record<string, unknown> | null | undefined;
    if (delta === null || typeof delta !== "object") return false;
    if (delta.type === "text_delta") {
      addText(delta.text, content);
      return addText(delta.text, text);
    }
    if (delta.type === "thinking_delta") return addText(delta.thinking, text);
    if (delta.type === "input_json_delta") {
      if (tools !== null && typeof delta.partial_json === "string" && delta.partial_json !== "")
        tools.add(typeof event.index === "number" ? event.index : 0, { arguments: delta.partial_json });
      return addText(delta.partial_json, text);
    }
    return false;
  }
  if (type === "content_block_start") {
    const block = event.content_block as Record<string, unknown> | null | undefined;
    if (block === null || typeof block !== "object") return false;
    if (block.type === "tool_use" && tools !== null) {
      const input = block.input;
      const filled = input !== null && typeof input === "object" && Object.keys(input).length > 0;
      tools.add(typeof event.index === "number" ? event.index : 0, {
        id: block.id,
        name: block.name,
        arguments: filled ? JSON.stringify(input) : typeof input === "string" ? input : "",
      });
    }
    if (block.type === "text") {
      addText(block.text, content);
      return addText(block.text, text);
    }
    if (block.type === "thinking") return addText(block.thinking, text);
  }
  return false;
}

/** Anthropic's usage names: input_tokens, output_tokens, cache_read_input_tokens. */
function readAnthropicUsage(value: unknown, into: Usage): void {
  if (value === null || typeof value !== "object") return;
  const u = value as Record<string, unknown>;
  const details =
    u.cache_read_input_tokens === undefined ? undefined : { cached_tokens: u.cache_read_input_tokens };
  readUsage(
    { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, prompt_tokens_details: details },
    into,
  );
}

/** A non-streamed Messages response: `content` blocks and `usage`. */
function readAnthropicMessage(
  parsed: unknown,
  usage: Usage,
  text: string[] | null,
  content: string[] | null,
  fail: (kind: FailureKind, message: string) => void,
  tools: ToolCalls | null,
): void {
  const value = parsed as { content?: unknown; usage?: unknown } | null;
  if (value?.usage !== undefined) readAnthropicUsage(value.usage, usage);
  if (!Array.isArray(value?.content)) {
    fail("parse_error", "Response has no content");
    return;
  }
  for (const [k, block] of (value.content as unknown[]).entries()) {
    if (block === null || typeof block !== "object") continue;
    const b = block as Record<string, unknown>;
    if (b.type === "thinking") addText(b.thinking, text);
    else if (b.type === "text") {
      addText(b.text, text);
      addText(b.text, content);
    } else if (b.type === "tool_use" && tools !== null) {
      // As upstream's _tool_arguments: a string input as it is, else its JSON.
      const input = typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {});
      tools.add(k, { id: b.id, name: b.name, arguments: input });
    }
  }
}

function jsonOutcome(output: string): "valid" | "invalid" {
  try {
    JSON.parse(output);
    return "valid";
  } catch {
    return "invalid";
  }
}

/** A 2xx streamed response that produced no SSE event: an error object, or not an event stream at all. */
function notSse(body: string, fail: (kind: FailureKind, message: string) => void): void {
  const text = body.trim();
  if (text === "") {
    fail("stream_error", "Empty response stream");
    return;
  }
  try {
    const error = errorOf(JSON.parse(text));
    if (error !== undefined) {
      fail("stream_error", error);
      return;
    }
  } catch {
    // not JSON either
  }
  fail("parse_error", `Expected an event stream, got: ${text.slice(0, 200)}`);
}

function decodeAll(parts: readonly Uint8Array[], total: number): string {
  if (parts.length === 1) return new TextDecoder().decode(parts[0]);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(joined);
}
