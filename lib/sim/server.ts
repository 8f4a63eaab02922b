// The simulator's HTTP routes: reads the request, counts it, and dispatches. Never throws out of a
// request: anything unexpected becomes a 500 with an OpenAI error body.
import type { HttpRequest, HttpResponse, RequestHandler } from "../runtime/serve.ts";
import { handleGeneration } from "./generate.ts";
import { sendError, sendJson } from "./responses.ts";
import type { SimState } from "./state.ts";

function modelsBody(state: SimState): string {
  const created = Math.floor(Date.now() / 1000);
  const base = state.options.model;
  const data = state.models.map((id) => ({
    id,
    object: "model",
    created,
    owned_by: "vllm",
    root: id,
    parent: id === base ? null : base,
    max_model_len: state.options.maxModelLen,
    permission: [],
  }));
  return JSON.stringify({ object: "list", data });
}

/** vLLM's POST /tokenize: {"prompt"} or {"messages"} → {"count","max_model_len","tokens"}. */
function tokenizeBody(state: SimState, body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { prompt?: unknown; messages?: { content?: unknown }[] };
    let text: string;
    if (typeof parsed.prompt === "string") text = parsed.prompt;
    else if (Array.isArray(parsed.messages))
      text = parsed.messages.map((m) => (typeof m?.content === "string" ? m.content : "")).join("");
    else return null;
    const tokens = state.tokenizer.encode(text);
    return JSON.stringify({ count: tokens.length, max_model_len: state.options.maxModelLen, tokens });
  } catch {
    return null;
  }
}

async function route(state: SimState, req: HttpRequest, res: HttpResponse): Promise<void> {
  const path = req.url.split("?")[0] ?? "/";
  const { method } = req;
  const post =
    path === "/v1/completions" ||
    path === "/v1/chat/completions" ||
    path === "/v1/messages" ||
    path === "/tokenize";
  if (post) {
    if (method !== "POST")
      return sendError(res, 405, `Method ${method} not allowed on ${path}`, "MethodNotAllowed", null);
    const body = req.body;
    if (body === null)
      return sendError(res, 400, "Request body could not be read or is too large", "BadRequestError", null);
    if (path === "/tokenize") {
      const out = tokenizeBody(state, body);
      if (out === null)
        return sendError(
          res,
          400,
          'Expected {"prompt": string} or {"messages": [...]}',
          "BadRequestError",
          null,
        );
      return sendJson(res, 200, out);
    }
    const kind = path === "/v1/completions" ? "completion" : path === "/v1/messages" ? "messages" : "chat";
    return handleGeneration(state, kind, body, res, req.receivedMs);
  }
  if (method !== "GET" && method !== "HEAD")
    return sendError(res, 405, `Method ${method} not allowed on ${path}`, "MethodNotAllowed", null);
  if (path === "/health") return sendJson(res, 200, "", "text/plain");
  if (path === "/v1/models") return sendJson(res, 200, modelsBody(state));
  if (path === "/metrics")
    return sendJson(res, 200, state.renderMetrics(), "text/plain; version=0.0.4; charset=utf-8");
  return sendError(res, 404, `Not Found: ${method} ${path}`, "NotFoundError", null);
}

export function createSimHandler(state: SimState): RequestHandler {
  return (req, res) => {
    state.counters.httpRequests++;
    state.counters.inFlight++;
    res.on("close", () => {
      state.counters.inFlight--;
    });
    route(state, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendError(res, 500, `Simulator error: ${message}`, "InternalServerError", null);
      else res.destroy();
    });
  };
}
