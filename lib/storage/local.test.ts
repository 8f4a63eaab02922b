import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalStorage, removeTemporaries } from "./local.ts";
import { tempDirForTests } from "./temp-dir.testing.ts";

const root = tempDirForTests("inferload-storage-test-");

describe("createLocalStorage()", () => {
  test("writes whole files under the prefix, and leaves no temporary file", () => {
    const dir = join(root, "plain");
    const storage = createLocalStorage(dir, "p_");
    storage.write("a.json", "{}");
    const file = storage.open("b.json");
    file.append("[");
    file.append("]");
    file.commit();
    expect(readdirSync(dir).sort()).toEqual(["p_a.json", "p_b.json"]);
    expect(readFileSync(join(dir, "p_b.json"), "utf8")).toBe("[]");
  });

  test("a write that fails removes its temporary file", () => {
    const dir = join(root, "failing");
    mkdirSync(join(dir, "taken.json"), { recursive: true }); // a directory where the file should go
    const storage = createLocalStorage(dir);
    expect(() => storage.write("taken.json", "{}")).toThrow();
    expect(readdirSync(dir)).toEqual(["taken.json"]);
  });

  test("removeTemporaries() deletes files still being written, and discard() its own", () => {
    const dir = join(root, "open");
    const storage = createLocalStorage(dir);
    storage.open("left.json").append("[1,");
    storage.open("dropped.json").discard();
    expect(readdirSync(dir)).toHaveLength(1);
    removeTemporaries();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a process that exits in the middle of a file leaves no temporary file", () => {
    const dir = join(root, "exit");
    const module = new URL("./local.ts", import.meta.url).pathname;
    const script = `const { createLocalStorage } = await import(${JSON.stringify(module)});
      createLocalStorage(${JSON.stringify(dir)}).open("half.json").append("[1,");
      process.exit(130);`;
    const result = spawnSync(process.execPath, ["-e", script], { timeout: 20_000 });
    expect(result.status).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
