// End-to-end: a replayed call that made a tool call, against a stand-in server whose tool-call parser
// leaks markup into the arguments (as vLLM's qwen3_xml can). The next call carries the live tool call
// and answers it with the recorded result under the live id; with bad_tool_call_handling use_recorded
// it carries the recorded call instead, and the session report counts the substitution.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { span } from "../lib/data/replay/trace.testing.ts";
import { listenOnFreePort } from "../lib/http/test-server.testing.ts";
import { runCli } from "./main.ts";

let dir: string;
let server: Server;
let url: string;
const bodies: Record<string, unknown>[] = [];

const recordedCall = { id: "rec_1", type: "function", function: { name: "lookup", arguments: '{"q": "x"}' } };
const LEAKY = '{"q": "x"</parameter></function>';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "inferload-tool-replay-"));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "GET") {
        res.end(JSON.stringify({ data: [{ id: "m" }] }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      bodies.push(body);
      if (req.url === "/v1/messages") {
        const content =
          body.tool_choice !== undefined
            ? [{ type: "tool_use", id: "toolu_live", name: "lookup", input: { q: "x" } }]
            : [{ type: "text", text: "done" }];
        res.end(
          JSON.stringify({
            type: "message",
            role: "assistant",
            content,
            usage: { input_tokens: 10, output_tokens: 5 },
          }),
        );
        return;
      }
      const usage = { prompt_tokens: 10, completion_tokens: 5 };
      const message =
        body.tool_choice !== undefined && body.tool_choice !== "none"
          ? {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "live_1", type: "function", function: { name: "lookup", arguments: LEAKY } },
              ],
            }
          : { role: "assistant", content: "done" };
      res.end(JSON.stringify({ choices: [{ index: 0, message, finish_reason: "stop" }], usage }));
    });
  });
  url = `http://127.0.0.1:${await listenOnFreePort(server)}`;
  // Call 0 asks, and the recording shows it calling `lookup`; call 1 carries that call and its result.
  const tools = JSON.stringify([
    { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
  ]);
  const messages = (list: unknown[]) => ({
    "gen_ai.input.messages": JSON.stringify(list),
    "gen_ai.tool.definitions": tools,
  });
  const ask = { role: "user", content: "find x" };
  const trace = {
    trace_id: "tools",
    spans: [
      span({
        id: "a",
        start: 0,
        end: 1,
        input: [],
        attributes: {
          ...messages([ask]),
          "gen_ai.output.messages": JSON.stringify([{ role: "assistant", tool_calls: [recordedCall] }]),
        },
      }),
      span({
        id: "b",
        start: 1.01,
        end: 2,
        input: [],
        output: "done",
        attributes: messages([
          ask,
          { role: "assistant", tool_calls: [recordedCall] },
          { role: "tool", tool_call_id: "rec_1", content: "x is 1" },
        ]),
      }),
    ],
  };
  writeFileSync(join(dir, "tools.json"), JSON.stringify(trace));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function replay(handling: "none" | "use_recorded", api = "chat") {
  bodies.length = 0;
  const out = join(dir, `${handling}-${api}`);
  const config = join(dir, `${handling}-${api}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      api: { type: api },
      server: { base_url: url, model_name: "m" },
      data: {
        type: "otel_trace_replay",
        otel_trace_replay: {
          trace_files: [join(dir, "tools.json")],
          use_static_model: true,
          static_model_name: "m",
          max_wait_ms: 0,
          bad_tool_call_handling: handling,
        },
      },
      load: { type: "trace_session_replay", num_workers: 1, stages: [{ concurrent_sessions: 1 }] },
      report: { session_lifecycle: { per_session: true } },
    }),
  );
  expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
  const [session] = JSON.parse(readFileSync(join(out, "per_session_lifecycle_metrics.json"), "utf8"));
  const summary = JSON.parse(readFileSync(join(out, "summary_session_lifecycle_metrics.json"), "utf8"));
  expect(bodies).toHaveLength(2);
  return { second: (bodies[1]!.messages as Record<string, unknown>[]).slice(1), session, summary };
}

test("a live tool call is replayed in the next call, its recorded result answering the live id", async () => {
  const { second, session, summary } = await replay("none");
  expect(second).toEqual([
    {
      role: "assistant",
      tool_calls: [{ id: "live_1", type: "function", function: { name: "lookup", arguments: LEAKY } }],
    },
    { role: "tool", tool_call_id: "live_1", content: "x is 1" },
  ]);
  expect([session.n_recorded_substitutions, session.recorded_substitution_event_ids]).toEqual([null, null]);
  expect([summary.sessions_with_recorded_substitution, summary.total_recorded_substitutions]).toEqual([
    0,
    null,
  ]);
}, 30_000);

test("use_recorded sends the recorded tool call where the live arguments are not JSON, and counts it", async () => {
  const { second, session, summary } = await replay("use_recorded");
  expect(second).toEqual([
    { role: "assistant", tool_calls: [recordedCall] },
    { role: "tool", tool_call_id: "rec_1", content: "x is 1" },
  ]);
  expect(session.success).toBe(true);
  expect([session.n_recorded_substitutions, session.recorded_substitution_event_ids]).toEqual([
    1,
    ["event_000_a"],
  ]);
  expect([summary.sessions_with_recorded_substitution, summary.total_recorded_substitutions]).toEqual([1, 1]);
}, 30_000);

test("anthropic_messages: the live tool_use block and the recorded result under its id, tools in Anthropic's shape", async () => {
  const { second } = await replay("none", "anthropic_messages");
  expect(second).toEqual([
    {
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_live", name: "lookup", input: { q: "x" } }],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_live", content: "x is 1" }] },
  ]);
  expect(bodies[0]).toMatchObject({
    tools: [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }],
    tool_choice: { type: "tool", name: "lookup" },
  });
  expect(bodies[1]!.tool_choice).toBeUndefined();
}, 30_000);
