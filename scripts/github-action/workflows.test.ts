// action.yml and the release workflow cannot run here; these checks keep them in step with the
// scripts they call: the inputs and outputs the action declares are the ones github-action.sh and
// finish.ts implement, and every file a workflow step names exists.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYAML } from "confbox";
import { loadConfig } from "../../lib/config/load.ts";
import { repoRoot } from "../compile.ts";

interface Step {
  id?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
/** A GitHub expression as the YAML holds it: `${{ … }}`. */
const expr = (inner: string) => `\${{ ${inner} }}`;
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const action = parseYAML(read("action.yml")) as {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

test("action.yml is a composite action with the inputs config, args, version (latest) and thresholds", () => {
  expect(action.runs.using).toBe("composite");
  expect(Object.keys(action.inputs)).toEqual(["config", "args", "version", "thresholds"]);
  expect(action.inputs.config?.required).toBe(true);
  expect(action.inputs.version?.default).toBe("latest");
});

test("action.yml's outputs are the ones the run step writes", () => {
  expect(action.outputs).toEqual({
    "report-dir": { description: expect.any(String), value: expr("steps.run.outputs.report-dir") },
    "summary-json": { description: expect.any(String), value: expr("steps.run.outputs.summary-json") },
    passed: { description: expect.any(String), value: expr("steps.run.outputs.passed") },
  } as never);
});

test("the run step hands every input to github-action.sh as INPUT_*", () => {
  const run = action.runs.steps.find((step) => step.id === "run");
  expect(run?.run).toContain('scripts/github-action.sh" run');
  for (const name of Object.keys(action.inputs))
    expect(Object.keys(run?.env ?? {})).toContain(`INPUT_${name.toUpperCase()}`);
  expect(run?.env?.INPUT_CONFIG).toBe(expr("inputs.config"));
});

test("every script a workflow or the action runs exists", () => {
  const text = [
    read("action.yml"),
    read(".github/workflows/release.yml"),
    read(".github/workflows/ci.yml"),
  ].join("\n");
  const paths = [...text.matchAll(/\bscripts\/[\w./-]+\.(?:sh|ts)\b/g)].map((m) => m[0]);
  expect(paths.length).toBeGreaterThan(4);
  for (const path of new Set(paths))
    expect({ path, exists: existsSync(join(repoRoot, path)) }).toEqual({ path, exists: true });
});

test("the release workflow publishes only from a version tag, after every platform's smoke run", () => {
  const release = parseYAML(read(".github/workflows/release.yml")) as {
    on: { push: { tags: string[] } };
    jobs: Record<string, { needs?: string; if?: string; strategy?: { matrix: { include: string } } }>;
  };
  expect(release.on.push.tags).toEqual(["v*.*.*"]);
  expect(release.jobs.smoke?.strategy?.matrix.include).toBe(expr("fromJSON(needs.build.outputs.targets)"));
  expect(release.jobs.publish?.needs).toBe("smoke");
  expect(release.jobs.publish?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
  expect(release.jobs.image?.needs).toBe("smoke");
});

test("the example workflow benchmarks vLLM with the action and gates on thresholds; its config is valid", async () => {
  const workflow = parseYAML(read("docs/examples/github-workflow-vllm.yml")) as {
    jobs: { vllm: { steps: (Step & { with?: Record<string, string> })[] } };
  };
  const bench = workflow.jobs.vllm.steps.find((step) => step.id === "bench");
  expect(bench?.uses).toStartWith("inferload/inferload@");
  expect(bench?.with?.thresholds?.trim().split("\n").length).toBeGreaterThan(0);
  const loaded = await loadConfig({
    path: join(repoRoot, "docs", "examples", "vllm-ci.yaml"),
    overrides: [],
    env: {},
    cpuCount: 2,
    now: new Date(0),
  });
  expect(loaded.config.server?.base_url).toBe("http://127.0.0.1:8000");
});
