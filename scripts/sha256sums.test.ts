import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { formatSha256Sums, writeSha256Sums } from "./sha256sums.ts";

const dir = tempDirForTests("inferload-sums-");

test("formatSha256Sums() writes '<hex>  <name>' lines sorted by name", () => {
  const text = formatSha256Sums([
    { name: "b", sha256: "22" },
    { name: "a.exe", sha256: "11" },
  ]);
  expect(text).toBe("11  a.exe\n22  b\n");
});

test("writeSha256Sums() writes the digests of the named files (sha256 of 'abc' and of nothing)", async () => {
  writeFileSync(join(dir, "inferload-linux-x64"), "abc");
  writeFileSync(join(dir, "inferload-windows-x64.exe"), "");
  await writeSha256Sums(dir, ["inferload-windows-x64.exe", "inferload-linux-x64"]);
  expect(readFileSync(join(dir, "SHA256SUMS"), "utf8")).toBe(
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  inferload-linux-x64\n" +
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  inferload-windows-x64.exe\n",
  );
});

test.skipIf(spawnSync("sha256sum", ["--version"]).status !== 0)(
  "sha256sum -c accepts the file, and rejects it once a binary changes",
  async () => {
    writeFileSync(join(dir, "one"), "1".repeat(100_000));
    writeFileSync(join(dir, "two"), "2");
    await writeSha256Sums(dir, ["one", "two"]);
    expect(spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir }).status).toBe(0);
    writeFileSync(join(dir, "two"), "3");
    expect(spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir }).status).toBe(1);
  },
);
