// The server check before the first stage, against small servers the tests start on 127.0.0.1.
import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server, type ServerResponse } from "node:http";
import { UserError } from "../cli/errors.ts";
import { forgetSecrets, rememberSecrets } from "../cli/secrets.ts";
import { bodyExcerpt, waitForServer } from "./wait-server.ts";

let server: Server | null = null;
afterEach(async () => {
  forgetSecrets();
  await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  server = null;
});

/** Serves each GET with the next answer of the list (the last one repeats). */
async function serve(answers: [number, string][]): Promise<{ url: string; count: () => number }> {
  let n = 0;
  server = createServer((_, res: ServerResponse) => {
    const [status, body] = answers[Math.min(n++, answers.length - 1)]!;
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, count: () => n };
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const wait = (url: string, timeoutMs = 5000) =>
  waitForServer({ baseUrl: url, headers: {}, timeoutMs, pollMs: 20 });

describe("waitForServer()", () => {
  test("returns the models a 200 lists", async () => {
    const { url } = await serve([[200, '{"data":[{"id":"m1"},{"id":"m2"}]}']]);
    expect(await wait(url)).toEqual({ status: 200, models: ["m1", "m2"], excerpt: "" });
  });

  test("waits through 503s while the server starts", async () => {
    const { url, count } = await serve([
      [503, '{"error":{"message":"loading"}}'],
      [503, "loading"],
      [200, '{"data":[{"id":"m"}]}'],
    ]);
    expect((await wait(url)).models).toEqual(["m"]);
    expect(count()).toBe(3);
  });

  test("stops at once on a 401, with the status and what the server said, exit 1", async () => {
    const { url, count } = await serve([[401, '{"error":{"message":"Incorrect API key provided"}}']]);
    const error = await failure(wait(url));
    expect(error.message).toBe(
      `Cannot use the server at "${url}": GET /v1/models answered HTTP 401: Incorrect API key provided`,
    );
    expect(error.exitCode).toBe(1);
    expect(count()).toBe(1);
  });

  test("masks a key the server echoes, and escapes its control characters", async () => {
    rememberSecrets(["sk-live-0123456789"]);
    const { url } = await serve([[403, '{"error":"bad key sk-live-0123456789\\u001b[2J"}']]);
    const error = await failure(wait(url));
    expect(error.message).toEndWith("HTTP 403: bad key ***redacted***\\x1b[2J");
  });

  test("hands back a 404 for the caller to judge (a server without /v1/models)", async () => {
    const { url } = await serve([[404, "Not Found"]]);
    expect(await wait(url)).toEqual({ status: 404, models: [], excerpt: "Not Found" });
  });

  test("gives up on a server that keeps failing, naming its last answer, exit 1", async () => {
    const { url } = await serve([[500, '{"message":"engine dead"}']]);
    const error = await failure(wait(url, 300));
    expect(error.message).toStartWith(`Cannot reach the server at "${url}": no usable answer within 0 s`);
    expect(error.details[0]).toBe("Last answer: HTTP 500: engine dead");
    expect(error.exitCode).toBe(1);
  });
});

describe("bodyExcerpt()", () => {
  test.each([
    ['{"error":{"message":"bad\\nthing"}}', "bad thing"],
    ["<html>\n  <body>oops</body>\n</html>", "<html> <body>oops</body> </html>"],
    ["", "(empty body)"],
    ["x".repeat(500), `${"x".repeat(200)}…`],
  ])("%j → %j", (body, excerpt) => {
    expect(bodyExcerpt(body)).toBe(excerpt);
  });
});
