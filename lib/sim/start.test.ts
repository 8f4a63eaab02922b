import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSim, startSimOnFreePort } from "./start.ts";

test("startSimOnFreePort() binds 127.0.0.1 below 32000, and startSim() on a taken port rejects with EADDRINUSE", async () => {
  const a = await startSimOnFreePort();
  const b = await startSimOnFreePort();
  try {
    for (const sim of [a, b]) {
      expect(sim.host).toBe("127.0.0.1");
      expect(sim.port).toBeGreaterThanOrEqual(20000);
      expect(sim.port).toBeLessThan(32000);
      expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    }
    expect(a.port).not.toBe(b.port);
    await expect(startSim({ port: a.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  } finally {
    await a.stop();
    await b.stop();
  }
  // stop() is idempotent and really closes: the port can be bound again.
  await a.stop();
  const again = await startSim({ port: a.port });
  await again.stop();
});

test("startSim() rejects invalid options before listening", async () => {
  await expect(startSim({ maxNumSeqs: 0 })).rejects.toThrow("maxNumSeqs: expected an integer >= 1, got 0");
});

test("truthLogPath appends one JSON line per request, flushed by stop()", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sim-truth-"));
  try {
    const path = join(dir, "truth.jsonl");
    const sim = await startSimOnFreePort({
      truthLogPath: path,
      prefillMs: 1,
      itlMs: 1,
      faults: { rate500: 0 },
    });
    for (const stream of [true, false]) {
      const res = await fetch(`${sim.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          messages: [{ role: "user", content: "hi" }],
          max_tokens: 3,
          ignore_eos: true,
          stream,
        }),
      });
      await res.text();
    }
    await sim.stop();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => [r.kind, r.stream, r.outcome, r.completionTokens, r.tokenMs.length])).toEqual([
      ["chat", true, "ok", 3, 3],
      ["chat", false, "ok", 3, 3],
    ]);
    expect(records.every((r) => r.receivedMs <= r.firstTokenMs && r.firstTokenMs <= r.finishedMs)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
