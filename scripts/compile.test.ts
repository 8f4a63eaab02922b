import { expect, test } from "bun:test";
import { workerEntries } from "../lib/runtime/worker-url.ts";
import { buildFlags, compileArgs } from "./compile.ts";

test("compileArgs() compiles the CLI with every Worker entry, the target and the build flags", () => {
  const args = compileArgs({ outfile: "dist/x", target: "bun-linux-arm64", optimize: buildFlags }, "abc123");
  expect(args.slice(0, 3)).toEqual(["build", "--compile", "cmd/main.ts"]);
  for (const entry of Object.values(workerEntries)) expect(args).toContain(entry);
  expect(args.join(" ")).toContain(
    "--outfile dist/x --target bun-linux-arm64 --minify --keep-names --bytecode --format=esm --splitting",
  );
  expect(args).toContain('INFERLOAD_COMMIT="abc123"');
});

test("the binary never reads .env or bunfig.toml from the directory it runs in", () => {
  const args = compileArgs({ outfile: "x" }, "c");
  expect(args).toContain("--no-compile-autoload-dotenv");
  expect(args).toContain("--no-compile-autoload-bunfig");
  expect(args).not.toContain("--target");
});
