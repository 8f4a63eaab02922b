// Small response writers shared by the simulator's routes. Every error is OpenAI-shaped JSON.
import type { HttpResponse } from "../runtime/serve.ts";
import { errorBody } from "./wire.ts";

export function sendJson(
  res: HttpResponse,
  status: number,
  body: string,
  contentType = "application/json",
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(
  res: HttpResponse,
  status: number,
  message: string,
  type: string,
  param: string | null,
): void {
  sendJson(res, status, errorBody(message, type, status, param));
}
