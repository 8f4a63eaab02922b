import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import { createPromClient, readQueryAnswer } from "./prom-api.ts";

const vector = (value: string) =>
  JSON.stringify({
    status: "success",
    data: { resultType: "vector", result: [{ metric: {}, value: [1, value] }] },
  });

describe("readQueryAnswer()", () => {
  test.each([
    ["a vector's first value", 200, vector("12.5"), { kind: "value", value: 12.5 }],
    [
      "+Inf (a quantile above the last bucket)",
      200,
      vector("+Inf"),
      { kind: "value", value: Number.POSITIVE_INFINITY },
    ],
    [
      "a scalar",
      200,
      JSON.stringify({ status: "success", data: { resultType: "scalar", result: [1, "1"] } }),
      { kind: "value", value: 1 },
    ],
    [
      "no series",
      200,
      JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }),
      { kind: "empty" },
    ],
  ])("reads %s", (_, status, body, expected) => {
    expect(readQueryAnswer(status, body)).toEqual(expected as ReturnType<typeof readQueryAnswer>);
  });

  test("NaN is a value (read as absent later), not an error", () => {
    const answer = readQueryAnswer(200, vector("NaN"));
    expect(answer.kind === "value" && Number.isNaN(answer.value)).toBe(true);
  });

  test("Prometheus's own error answer is an error about that query, not about the server", () => {
    const answer = readQueryAnswer(
      400,
      JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error" }),
    );
    expect(answer).toEqual({
      kind: "error",
      message: "Prometheus answered an error: parse error",
      transport: false,
    });
  });

  test.each([
    ["HTML from a proxy", 502, "<html>Bad Gateway</html>"],
    ["JSON of the wrong shape", 200, JSON.stringify({ status: "success", data: { result: "x" } })],
    ["a value that is not a number", 200, vector("lots")],
    ["a bare number", 200, "42"],
  ])("turns %s into a no-answer error, never a throw", (_, status, body) => {
    const answer = readQueryAnswer(status, body);
    expect(answer.kind).toBe("error");
    expect(answer.kind === "error" && answer.transport).toBe(true);
  });
});

describe("createPromClient()", () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? "");
      if ((req.url ?? "").includes("slow")) return; // never answers
      res.writeHead(200, { "content-type": "application/json" });
      res.end(vector("7"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  test("sends the query and the evaluation time in seconds, with the given headers", async () => {
    let asked = 0;
    const client = createPromClient({
      baseUrl: `http://127.0.0.1:${port}/`,
      headers: async () => ({ authorization: `Bearer t${++asked}` }),
    });
    expect(await client.query("sum(x{a='b'})", 1_700_000_000_123)).toEqual({ kind: "value", value: 7 });
    const url = new URL(seen.at(-1) ?? "", "http://x");
    expect(url.pathname).toBe("/api/v1/query");
    expect(url.searchParams.get("query")).toBe("sum(x{a='b'})");
    expect(url.searchParams.get("time")).toBe("1700000000.123");
    expect(asked).toBe(1);
  });

  test("a server that does not answer in time is a transport error", async () => {
    const client = createPromClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 });
    const answer = await client.query("slow", Date.now());
    expect(answer).toMatchObject({ kind: "error", transport: true });
  });

  test("a refused connection is a transport error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const dead = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await createPromClient({ baseUrl: `http://127.0.0.1:${dead}` }).query("x", Date.now());
    expect(answer).toMatchObject({ kind: "error", transport: true });
  });
});
