import { describe, expect, test } from "bun:test";
import { build, oneStage } from "./facts.testing.ts";
import { checkConfig, refusal } from "./preflight.ts";

function findings(raw: Record<string, unknown>) {
  return checkConfig(build({ load: oneStage, ...raw }).config);
}

describe("checkConfig()", () => {
  test("a runnable config has no problems", () => {
    expect(findings({ server: { base_url: "http://127.0.0.1:8000" } })).toEqual({ problems: [], notes: [] });
  });

  test.each([
    [
      { server: { base_url: "localhost:8000" } },
      "server.base_url: expected a URL starting with http:// or https://",
    ],
    [
      { server: { base_url: "http://h:8000/v1" } },
      'server.base_url: expected the server\'s root URL without "/v1"',
    ],
    [
      { api: { headers: { "X-A": "1\r\n2" } } },
      "api.headers.X-A: expected a value without control characters",
    ],
    [{ load: { stages: [{ rate: 1e12, duration: 1 }] } }, "load.stages[0].rate: expected at most 1000000"],
    [
      { storage: { local_storage: { path: " " } } },
      'storage.local_storage.path: expected a folder for the reports, got " "',
    ],
    [
      {
        api: { type: "chat" },
        load: { stages: [{ rate: 1, duration: 1 }] },
        data: { type: "random", use_chat_template: true },
      },
      'api.type: expected "completion" for data.use_chat_template',
    ],
  ])("finds the problem in %j", (raw, line) => {
    const { problems } = findings(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(line);
  });

  test("lists every problem of every check at once", () => {
    const { problems } = findings({
      server: { base_url: "ftp://h" },
      load: { num_workers: 1000, stages: [{ rate: 1e12, duration: 1 }] },
    });
    expect(problems.map((line) => line.split(":")[0])).toEqual([
      "server.base_url",
      "load.num_workers",
      "load.stages[0].rate",
    ]);
  });

  test("notes what it goes on with", () => {
    expect(findings({ api: { headers: { Host: "vhost" } } }).notes).toEqual([
      "api.headers.Host replaces the Host header taken from server.base_url",
    ]);
  });
});

describe("refusal()", () => {
  test("run and validate say the same problems in their own words", () => {
    expect(refusal("b.yaml", ["a: x"]).message).toBe('Cannot run config "b.yaml": 1 problem');
    const validate = refusal("b.yaml", ["a: x", "b: y"], { validate: true });
    expect(validate.message).toBe(
      'Config "b.yaml" is valid, but "inferload run" would refuse it: 2 problems',
    );
    expect(validate.details).toEqual(["a: x", "b: y"]);
    expect(validate.exitCode).toBe(2);
  });
});
