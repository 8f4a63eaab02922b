import { expect, test } from "bun:test";
import { isUserError } from "../lib/cli/errors.ts";
import { releaseTargets, selectTargets } from "./release-targets.ts";

test("the release has the six documented binaries, each with the bun target that builds it", () => {
  expect(releaseTargets.map((t) => [t.asset, t.bunTarget])).toEqual([
    ["inferload-linux-x64", "bun-linux-x64"],
    ["inferload-linux-arm64", "bun-linux-arm64"],
    ["inferload-linux-x64-musl", "bun-linux-x64-musl"],
    ["inferload-darwin-x64", "bun-darwin-x64"],
    ["inferload-darwin-arm64", "bun-darwin-arm64"],
    ["inferload-windows-x64.exe", "bun-windows-x64"],
  ]);
});

test("every platform has exactly one binary", () => {
  const platforms = releaseTargets.map((t) => `${t.os}/${t.arch}/${t.libc}`);
  expect(new Set(platforms).size).toBe(releaseTargets.length);
});

test("selectTargets() keeps the targets whose asset name contains a filter, all without filters", () => {
  expect(selectTargets([]).length).toBe(6);
  expect(selectTargets(["linux-x64"]).map((t) => t.asset)).toEqual([
    "inferload-linux-x64",
    "inferload-linux-x64-musl",
  ]);
  expect(selectTargets(["darwin-arm64", "windows"]).map((t) => t.asset)).toEqual([
    "inferload-darwin-arm64",
    "inferload-windows-x64.exe",
  ]);
});

test("selectTargets() refuses a filter that matches nothing, naming it and the assets", () => {
  let thrown: unknown;
  try {
    selectTargets(["linux-x64", "freebsd"]);
  } catch (error) {
    thrown = error;
  }
  expect(isUserError(thrown)).toBe(true);
  expect((thrown as Error).message).toStartWith(
    'Cannot select release targets "freebsd": expected part of an asset name',
  );
  expect((thrown as Error).message).toContain("inferload-windows-x64.exe");
});
