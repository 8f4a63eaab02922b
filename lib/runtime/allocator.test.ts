import { expect, test } from "bun:test";
import { LOAD_ALLOCATOR_ENV, type ProcessShape, relaunchFor } from "./allocator.ts";

const fromSource: ProcessShape = {
  execPath: "/usr/local/bin/bun",
  execArgv: [],
  argv: ["/usr/local/bin/bun", "/repo/cmd/main.ts", "run", "-c", "-"],
  env: { HOME: "/home/u", UNSET: undefined },
  compiled: false,
};

test("from source: the runtime, the script and the user's arguments, with the settings added", () => {
  expect(relaunchFor(fromSource)).toEqual({
    file: "/usr/local/bin/bun",
    argv: ["/usr/local/bin/bun", "/repo/cmd/main.ts", "run", "-c", "-"],
    env: { HOME: "/home/u", ...LOAD_ALLOCATOR_ENV },
  });
});

test("the runtime's own flags are kept, before the script", () => {
  expect(relaunchFor({ ...fromSource, execArgv: ["--smol"] })?.argv).toEqual([
    "/usr/local/bin/bun",
    "--smol",
    "/repo/cmd/main.ts",
    "run",
    "-c",
    "-",
  ]);
});

test("a compiled binary: its own path and the user's arguments, not its virtual entry", () => {
  const plan = relaunchFor({
    ...fromSource,
    execPath: "/opt/inferload",
    argv: ["bun", "/$bunfs/root/inferload", "run", "--quiet"],
    compiled: true,
  });
  expect(plan?.file).toBe("/opt/inferload");
  expect(plan?.argv).toEqual(["/opt/inferload", "run", "--quiet"]);
});

test.each(["-1", "10", ""])(
  "MIMALLOC_PURGE_DELAY=%p set by the user: no relaunch (nor a second one)",
  (value) => {
    expect(
      relaunchFor({ ...fromSource, env: { ...fromSource.env, MIMALLOC_PURGE_DELAY: value } }),
    ).toBeNull();
  },
);

test("purging is off: mimalloc's -1", () => {
  expect(LOAD_ALLOCATOR_ENV).toEqual({ MIMALLOC_PURGE_DELAY: "-1" });
});
