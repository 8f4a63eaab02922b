// Small response writers shared by the simulator's routes. Every error is OpenAI-shaped JSON.
import type { ServerResponse } from "../runtime/serve.ts";
import { errorBody } from "./wire.ts";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "application/json",
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  param: string | null,
): void {
  sendJson(res, status, errorBody(message, type, status, param));
}
