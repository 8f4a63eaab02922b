import { describe, expect, test } from "bun:test";
import { rawRequest } from "./_raw-http.ts";
import { DROP_HOLD_MS } from "./faults.ts";
import type { SimFaults } from "./options.ts";
import { type RunningSim, startSimOnFreePort } from "./start.ts";
import type { TruthRecord } from "./truth-log.ts";

async function withSim(
  faults: Partial<SimFaults>,
  run: (sim: RunningSim, truths: TruthRecord[]) => Promise<void>,
): Promise<void> {
  const truths: TruthRecord[] = [];
  const sim = await startSimOnFreePort({ prefillMs: 2, itlMs: 1, faults, onTruth: (r) => truths.push(r) });
  try {
    await run(sim, truths);
  } finally {
    await sim.stop();
  }
}

const streamBody = (maxTokens = 10, kind: "completion" | "chat" = "completion") =>
  JSON.stringify({
    ...(kind === "chat" ? { messages: [{ role: "user", content: "hi" }] } : { prompt: "hi" }),
    max_tokens: maxTokens,
    ignore_eos: true,
    stream: true,
  });
const plainBody = JSON.stringify({ prompt: "hi", max_tokens: 10, ignore_eos: true });

/** Token events in an SSE body (events whose JSON parses and has a choice). */
function tokenEvents(body: string): number {
  return body
    .split("\n\n")
    .filter((e) => e.startsWith("data: {"))
    .filter((e) => {
      try {
        return JSON.parse(e.slice(6)).choices?.length === 1;
      } catch {
        return false;
      }
    }).length;
}

describe("fault injection", () => {
  test.each([
    ["rate429", 429, "rate_limit_exceeded"],
    ["rate500", 500, "InternalServerError"],
    ["rate503", 503, "service_unavailable"],
  ] as const)("%s = 1 answers every request with %d and an OpenAI error body", async (flag, status, type) => {
    await withSim({ [flag]: 1 }, async (sim, truths) => {
      for (const body of [streamBody(), plainBody]) {
        const res = await fetch(`${sim.url}/v1/completions`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
        expect(res.status).toBe(status);
        expect((await res.json()).error).toMatchObject({ type, code: status });
      }
      expect(sim.stats().faults[String(status)]).toBe(2);
      expect(truths.map((t) => [t.status, t.outcome])).toEqual([
        [status, "status_fault"],
        [status, "status_fault"],
      ]);
    });
  });

  test("cutRate = 1 drops the connection after --fault-after tokens, with no terminal chunk or [DONE]", async () => {
    await withSim({ cutRate: 1, afterTokens: 3 }, async (sim, truths) => {
      const res = await rawRequest(sim.url, "/v1/completions", streamBody());
      expect(res.status).toBe(200);
      expect(res.closedByServer).toBe(true);
      expect(res.complete).toBe(false);
      expect(tokenEvents(res.body)).toBe(3);
      expect(res.body.includes("[DONE]")).toBe(false);
      // Not streamed: the connection drops before any response.
      const plain = await rawRequest(sim.url, "/v1/completions", plainBody);
      expect(plain).toMatchObject({ status: 0, closedByServer: true });
      expect(sim.stats().faults.cut).toBe(2);
      expect(truths.map((t) => t.outcome)).toEqual(["cut", "cut"]);
      expect(sim.stats().running).toBe(0); // the slots were freed
      for (let i = 0; i < 100 && sim.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sim.stats().inFlight).toBe(0);
    });
  });

  test("dropRate = 1 closes the connection after holding the request, before any response byte", async () => {
    await withSim({ dropRate: 1 }, async (sim, truths) => {
      for (const body of [streamBody(), plainBody]) {
        const started = performance.now();
        const res = await rawRequest(sim.url, "/v1/completions", body);
        expect(res).toMatchObject({ status: 0, closedByServer: true, body: "" });
        // Held first, so a client cannot take it for a keep-alive race.
        expect(performance.now() - started).toBeGreaterThanOrEqual(DROP_HOLD_MS - 1);
      }
      expect(sim.stats().faults.drop).toBe(2);
      expect(truths.map((t) => t.outcome)).toEqual(["dropped", "dropped"]);
    });
  });

  test("malformedRate = 1 inserts one truncated-JSON event after --fault-after tokens and still completes", async () => {
    await withSim({ malformedRate: 1, afterTokens: 2 }, async (sim) => {
      for (const kind of ["completion", "chat"] as const) {
        const path = kind === "chat" ? "/v1/chat/completions" : "/v1/completions";
        const res = await fetch(`${sim.url}${path}`, {
          method: "POST",
          body: streamBody(6, kind),
          headers: { "content-type": "application/json" },
        });
        const events = (await res.text()).split("\n\n").filter((e) => e.length > 0);
        const broken = events.flatMap((e, i) => {
          try {
            if (e !== "data: [DONE]") JSON.parse(e.slice(6));
            return [];
          } catch {
            return [i];
          }
        });
        expect(broken).toEqual([kind === "chat" ? 3 : 2]); // after the role chunk and 2 token chunks
        expect(events.at(-1)).toBe("data: [DONE]");
        expect(events.every((e) => e.startsWith("data: "))).toBe(true);
      }
      const plain = await fetch(`${sim.url}/v1/completions`, {
        method: "POST",
        body: plainBody,
        headers: { "content-type": "application/json" },
      });
      expect(plain.status).toBe(200);
      await expect(plain.json()).rejects.toThrow();
      expect(sim.stats().faults.malformed).toBe(3);
    });
  });

  test("errorEventRate = 1 sends an error event inside the 200 stream after --fault-after tokens, then [DONE]", async () => {
    await withSim({ errorEventRate: 1, afterTokens: 4 }, async (sim, truths) => {
      const res = await rawRequest(sim.url, "/v1/completions", streamBody());
      expect(res.status).toBe(200);
      expect(res.complete).toBe(true);
      const events = res.body.split("\n\n").filter((e) => e.length > 0);
      expect(events).toHaveLength(6);
      expect(tokenEvents(res.body)).toBe(4);
      expect(JSON.parse((events[4] as string).slice(6)).error).toMatchObject({
        type: "InternalServerError",
        code: 500,
      });
      expect(events[5]).toBe("data: [DONE]");
      expect(truths[0]).toMatchObject({ outcome: "error_event", completionTokens: 4 });
    });
  });

  test("headersDelayMs holds back the response headers of every request", async () => {
    await withSim({ headersDelayMs: 250 }, async (sim, truths) => {
      const sent = performance.timeOrigin + performance.now();
      const res = await fetch(`${sim.url}/v1/completions`, {
        method: "POST",
        body: streamBody(2),
        headers: { "content-type": "application/json" },
      });
      const headersAt = performance.timeOrigin + performance.now();
      await res.text();
      expect(headersAt - sent).toBeGreaterThanOrEqual(245);
      const t = truths[0] as TruthRecord;
      expect(t.headersMs - t.receivedMs).toBeGreaterThanOrEqual(245);
    });
  });

  test("closeConnection sends Connection: close and closes the socket after each complete streamed response", async () => {
    await withSim({ closeConnection: true }, async (sim) => {
      const res = await rawRequest(sim.url, "/v1/chat/completions", streamBody(3, "chat"), { graceMs: 2000 });
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe("close");
      expect(res.complete).toBe(true);
      expect(res.closedByServer).toBe(true);
      expect(res.body.endsWith("data: [DONE]\n\n")).toBe(true);
    });
  });
});
