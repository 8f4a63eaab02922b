// One /v1/completions, /v1/chat/completions or /v1/messages request, from parsed body to the last
// byte: checks the model and context length, applies the request's fault, submits a sequence to the
// engine and writes each token as the shared wheel fires it (streamed), or the whole body at the last
// token (not streamed). With response_format the tokens spell a JSON document (json-output.ts).
import type { HttpResponse } from "../runtime/serve.ts";
import {
  anthropicBody,
  anthropicErrorBody,
  anthropicErrorType,
  createAnthropicRenderer,
} from "./anthropic-wire.ts";
import type { Sequence } from "./engine.ts";
import { DROP_HOLD_MS, type Fault, pickFault, statusFaultError } from "./faults.ts";
import { jsonPieces } from "./json-output.ts";
import type { Modality } from "./media-tokens.ts";
import { parseRequestBody } from "./request.ts";
import { sendJson, sendError as sendOpenAiError } from "./responses.ts";
import type { SimState } from "./state.ts";
import type { TruthOutcome, TruthRecord } from "./truth-log.ts";
import {
  type ApiKind,
  createStreamRenderer,
  responseBody,
  type StreamRenderer as StreamRendererT,
  usageOf,
  type WireContext,
} from "./wire.ts";

function faultLabel(fault: Fault): string {
  return fault.kind === "status" ? String(fault.status) : fault.kind;
}

/** vLLM's refusal when a request carries more of a modality than --limit-mm-per-prompt allows. */
function mediaRefusal(
  limits: Partial<Record<Modality, number>>,
  media: readonly { modality: Modality }[],
): string | null {
  for (const modality of ["image", "video", "audio"] as const) {
    const limit = limits[modality];
    if (limit === undefined) continue;
    const count = media.filter((m) => m.modality === modality).length;
    if (count > limit) return `At most ${limit} ${modality}(s) may be provided in one prompt.`;
  }
  return null;
}

export async function handleGeneration(
  state: SimState,
  kind: ApiKind,
  body: string,
  res: HttpResponse,
  receivedMs: number,
): Promise<void> {
  const { options, engine, metrics, clock } = state;
  const anthropic = kind === "messages";
  // Errors in the shape of the API asked: Anthropic's {"type":"error",…} or OpenAI's {"error":…}.
  const sendError = (status: number, message: string, type: string, param: string | null) => {
    if (anthropic) sendJson(res, status, anthropicErrorBody(message, anthropicErrorType(status)));
    else sendOpenAiError(res, status, message, type, param);
  };
  const parsed = parseRequestBody(kind, body);
  if (!parsed.ok) {
    sendError(400, parsed.message, "BadRequestError", parsed.param);
    return;
  }
  const request = parsed.request;
  const model = request.model ?? options.model;
  if (!state.models.includes(model)) {
    sendError(404, `The model \`${model}\` does not exist.`, "NotFoundError", "model");
    return;
  }
  const refused = mediaRefusal(state.mediaLimits, request.media);
  if (refused !== null) {
    sendError(400, refused, "BadRequestError", "messages");
    return;
  }
  let promptTokens = request.promptTokenIds ?? 0;
  for (const text of request.promptTexts) promptTokens += state.countTokens(text);
  for (const item of request.media) promptTokens += item.tokens;
  const maxTokens = request.maxTokens ?? options.maxModelLen - promptTokens;
  if (maxTokens < 1 || promptTokens + maxTokens > options.maxModelLen) {
    const message =
      `This model's maximum context length is ${options.maxModelLen} tokens. However, you requested ` +
      `${promptTokens + Math.max(0, maxTokens)} tokens (${promptTokens} in the messages, ${Math.max(0, maxTokens)} in the completion). ` +
      "Please reduce the length of the messages or completion.";
    sendError(400, message, "BadRequestError", "max_tokens");
    return;
  }
  metrics.received(model);
  const series = metrics.series(model);
  // Looked up once the request is valid, as vLLM's scheduler does when it admits the prompt.
  // The cache keys on text alone, so a prompt carrying media is queried but never served from it.
  const cachedTokens =
    state.prefixCache === null
      ? null
      : request.media.length > 0
        ? 0
        : state.prefixCache.lookup(request.promptTexts, promptTokens).cachedTokens;
  if (cachedTokens !== null) series.prefixCache(promptTokens, cachedTokens);
  const idPrefix = kind === "chat" ? "chatcmpl" : kind === "messages" ? "msg" : "cmpl";
  const id = `${idPrefix}-sim${options.seed}x${state.counters.nextId++}`;
  const fault = pickFault(options.faults, state.faultRng, request.stream);
  const truth: TruthRecord | null =
    state.truth === null
      ? null
      : {
          id,
          kind,
          model,
          stream: request.stream,
          status: 200,
          outcome: "ok",
          fault: faultLabel(fault),
          promptTokens,
          completionTokens: 0,
          finishReason: null,
          receivedMs,
          admittedMs: Number.NaN,
          queueMs: Number.NaN,
          headersMs: Number.NaN,
          firstTokenMs: Number.NaN,
          tokenMs: [],
          finishedMs: Number.NaN,
        };
  const finishTruth = (outcome: TruthOutcome, seq: Sequence | null, atMs?: number) => {
    if (truth === null || state.truth === null) return;
    truth.outcome = outcome;
    truth.finishedMs = atMs ?? clock();
    if (seq !== null) {
      truth.admittedMs = seq.admittedMs;
      truth.queueMs = seq.admittedMs - seq.receivedMs;
    }
    state.truth(truth);
  };

  if (options.faults.headersDelayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, options.faults.headersDelayMs));
    if (res.destroyed) {
      finishTruth("client_closed", null);
      return;
    }
  }
  if (fault.kind === "drop") {
    state.faults.drop = (state.faults.drop ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, DROP_HOLD_MS));
    res.destroy();
    finishTruth("dropped", null);
    return;
  }
  if (fault.kind === "status") {
    state.faults[String(fault.status)] = (state.faults[String(fault.status)] ?? 0) + 1;
    const error = statusFaultError(fault.status);
    if (truth !== null) {
      truth.status = fault.status;
      truth.headersMs = clock();
    }
    sendError(fault.status, error.message, error.type, null);
    finishTruth("status_fault", null);
    return;
  }

  const ctx: WireContext = {
    kind,
    id,
    created: Math.floor(Date.now() / 1000),
    model,
    includeUsage: request.includeUsage,
    promptTokens,
  };
  const stream = request.stream;
  const renderer = !stream ? null : anthropic ? createAnthropicRenderer(ctx) : createStreamRenderer(ctx);
  // Structured output: the document's pieces, made once the engine has fixed the token count.
  let pieces: string[] | null = null;
  const closeAfter = stream && options.faults.closeConnection;
  if (stream) {
    // Stamped before the write, as every truth time is: a client can never see it earlier.
    if (truth !== null) truth.headersMs = clock();
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      ...(closeAfter ? { connection: "close" } : {}),
    });
    res.flushHeaders();
  }
  const words = state.words;
  const wordsJson = state.wordsJson;
  const textParts: string[] | null = stream ? null : [];
  let done = false;
  let lastTokenMs = Number.NaN;
  // Engine (model) time of the first token, for the prefill and decode histograms.
  let firstDueMs = Number.NaN;
  let strikeAt = -1;
  // Chunks fired in this wheel advance, written together once it is over (see state.afterAdvance).
  let pending = "";
  let pendingTokens = 0;
  let flushQueued = false;
  // A streamed first token's TTFT is observed when its chunk is written, the time the truth log has.
  let ttftPending = false;
  // The truth log stamps a streamed token just before its chunk is handed to the socket, so a client
  // on the same clock can never see it earlier than the truth says.
  const stamp = () => {
    if (pendingTokens > 0 && (truth !== null || ttftPending)) {
      const at = clock();
      if (ttftPending) {
        ttftPending = false;
        series.firstToken((at - receivedMs) / 1000, promptTokens);
      }
      if (truth !== null) {
        if (truth.tokenMs.length === 0) truth.firstTokenMs = at;
        for (let i = 0; i < pendingTokens; i++) truth.tokenMs.push(at);
      }
    }
    pendingTokens = 0;
  };
  const flush = () => {
    flushQueued = false;
    if (pending.length === 0 || done) return;
    stamp();
    res.write(pending);
    pending = "";
  };

  const seq: Sequence = engine.submit(
    { model, promptTokens, cachedTokens: cachedTokens ?? 0, maxTokens, ignoreEos: request.ignoreEos },
    {
      onToken(index, last, due, now) {
        if (index === 0 && request.jsonSchema !== null) {
          pieces = jsonPieces(request.jsonSchema, seq.outputTokens, words, state.textRng);
        }
        const pick = pieces === null ? state.textRng.int(words.length) : -1;
        const word = pieces === null ? (words[pick] as string) : (pieces[index] ?? " ");
        if (index === 0) {
          strikeAt = fault.kind === "none" ? -1 : Math.min(fault.afterTokens, seq.outputTokens - 1);
          firstDueMs = due;
          if (renderer === null) series.firstToken((now - receivedMs) / 1000, promptTokens);
          else ttftPending = true;
        }
        let out = pending + (renderer !== null && index === 0 ? renderer.opening : "");
        pending = "";
        if (index === strikeAt && fault.kind !== "malformed") {
          done = true;
          engine.cancel(seq);
          series.aborted();
          state.faults[fault.kind] = (state.faults[fault.kind] ?? 0) + 1;
          if (truth !== null) truth.completionTokens = index;
          if (fault.kind === "cut") {
            stamp();
            if (out.length > 0) res.write(out);
            res.destroy();
            finishTruth("cut", seq);
          } else {
            stamp();
            res.end(
              `${out}${(renderer as StreamRendererT).failure("Simulated engine failure in the middle of the stream")}`,
            );
            finishTruth("error_event", seq);
          }
          return;
        }
        series.token(index === 0 ? null : (now - lastTokenMs) / 1000);
        lastTokenMs = now;
        if (renderer !== null) pendingTokens++;
        else if (truth !== null) {
          if (index === 0) truth.firstTokenMs = now;
          truth.tokenMs.push(now);
        }
        if (index === strikeAt && renderer !== null) {
          state.faults.malformed = (state.faults.malformed ?? 0) + 1;
          out += renderer.malformed(word);
        }
        if (renderer !== null) {
          out += renderer.tokenJson(
            pick >= 0 ? (wordsJson[pick] as string) : JSON.stringify(word),
            last ? seq.finishReason : null,
          );
          if (!last) {
            pending = out;
            if (!flushQueued) {
              flushQueued = true;
              state.afterAdvance(flush);
            }
            return;
          }
          out += renderer.closing(seq.finishReason, usageOf(promptTokens, seq.outputTokens, cachedTokens));
          done = true;
          stamp();
          res.end(out);
        } else {
          (textParts as string[]).push(word);
          if (!last) return;
          done = true;
          let text = (anthropic ? anthropicBody : responseBody)(
            ctx,
            (textParts as string[]).join(""),
            seq.finishReason,
            usageOf(promptTokens, seq.outputTokens, cachedTokens),
          );
          if (strikeAt >= 0) {
            state.faults.malformed = (state.faults.malformed ?? 0) + 1;
            text = text.slice(0, Math.floor(text.length / 2));
          }
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
          });
          res.end(text);
          if (truth !== null) truth.headersMs = now;
        }
        state.counters.completed++;
        const endMs = clock();
        series.finished(seq.finishReason, {
          e2eS: (endMs - receivedMs) / 1000,
          queueS: (seq.admittedMs - seq.receivedMs) / 1000,
          prefillS: (firstDueMs - seq.admittedMs) / 1000,
          decodeS: (due - firstDueMs) / 1000,
          promptTokens,
          generationTokens: seq.outputTokens,
          maxTokens,
        });
        if (truth !== null) {
          truth.completionTokens = seq.outputTokens;
          truth.finishReason = seq.finishReason;
        }
        finishTruth("ok", seq, endMs);
      },
    },
  );
  res.on("close", () => {
    if (done) return;
    done = true;
    engine.cancel(seq);
    series.aborted();
    if (truth !== null) truth.completionTokens = seq.generated;
    finishTruth("client_closed", seq);
  });
}
