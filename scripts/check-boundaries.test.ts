import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { checkBoundaries, checkFile, importsOf, parseRoomTable } from "./check-boundaries.ts";

const table = `
| room | holds | may import |
|---|---|---|
| \`lib/record/\` | records | — |
| \`lib/http/\` | transport | \`lib/record/\` |
| \`lib/metrics/\` | accumulators | \`lib/record/\` |
| \`cmd/\` | commands | \`lib/*\` |
`;
const rules = parseRoomTable(table);

describe("check-boundaries", () => {
  test("parses the room table, '—' meaning no other room", () => {
    expect(rules.get("lib/record")).toEqual(new Set());
    expect(rules.get("lib/http")).toEqual(new Set(["lib/record"]));
    expect(rules.get("cmd")).toEqual(new Set(["lib/*"]));
  });

  test("finds static, type-only, re-export and dynamic imports, not packages", () => {
    const source = `import { a } from "../record/record.ts";
import type { B } from "./b.ts";
export { c } from "../metrics/c.ts";
const d = () => import("../http/d.ts");
import { defineCommand } from "citty";`;
    expect(importsOf(source)).toEqual(["../record/record.ts", "./b.ts", "../metrics/c.ts", "../http/d.ts"]);
  });

  test.each([
    // file, import, violation (null: allowed)
    ["lib/http/socket.ts", "../record/record.ts", null],
    ["lib/http/socket.ts", "./sse.ts", null],
    ["lib/http/socket.ts", "../metrics/collector.ts", "lib/http/ may not import lib/metrics/"],
    ["lib/record/record.ts", "../http/transport.ts", "lib/record/ may not import lib/http/"],
    ["lib/sweep/plan.ts", "../record/record.ts", "lib/sweep/ is not in the room table"],
    ["cmd/run.ts", "../lib/metrics/collector.ts", null],
    ["lib/http/socket.ts", "../record/_private.ts", "_private.ts is private to lib/record/"],
    ["lib/http/socket.ts", "./_framing.ts", null],
    ["lib/http/socket.test.ts", "../metrics/collector.ts", null],
    ["lib/http/socket.test.ts", "../metrics/_internal.ts", "_internal.ts is private to lib/metrics/"],
    ["scripts/bench/x.ts", "../../lib/http/_framing.ts", "_framing.ts is private to lib/http/"],
  ])("%s importing %s → %p", (file, specifier, reason) => {
    const found = checkFile(file, `import { x } from "${specifier}";`, rules);
    expect(found.map((v) => v.reason)).toEqual(reason === null ? [] : [reason]);
  });

  test("this repository's imports follow docs/ARCHITECTURE.md's room table", () => {
    const violations = checkBoundaries(resolve(import.meta.dirname, ".."));
    expect(violations).toEqual([]);
  });
});
