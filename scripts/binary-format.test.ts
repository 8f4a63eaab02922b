import { expect, test } from "bun:test";
import { closeSync, openSync, readSync } from "node:fs";
import { describeExecutable, headBytes, platformMismatch } from "./binary-format.ts";
import { releaseTargets } from "./release-targets.ts";

function bytes(size: number, fill: (view: DataView, raw: Uint8Array) => void): Uint8Array {
  const raw = new Uint8Array(size);
  fill(new DataView(raw.buffer), raw);
  return raw;
}
const elf = (machine: number, interp: string) =>
  bytes(256, (view, raw) => {
    view.setUint32(0, 0x7f454c46);
    view.setUint16(18, machine, true);
    raw.set(new TextEncoder().encode(interp), 64);
  });
const machO = (cpu: number) =>
  bytes(64, (view) => {
    view.setUint32(0, 0xfeedfacf, true);
    view.setUint32(4, cpu, true);
  });
const pe = (machine: number) =>
  bytes(256, (view) => {
    view.setUint16(0, 0x5a4d, true);
    view.setUint32(0x3c, 0x80, true);
    view.setUint32(0x80, 0x50450000);
    view.setUint16(0x84, machine, true);
  });

test.each([
  [
    "ELF x86-64 with glibc's loader",
    elf(0x3e, "/lib64/ld-linux-x86-64.so.2"),
    { os: "linux", arch: "x64", libc: "glibc" },
  ],
  ["ELF AArch64", elf(0xb7, "/lib/ld-linux-aarch64.so.1"), { os: "linux", arch: "arm64", libc: "glibc" }],
  [
    "ELF x86-64 with musl's loader",
    elf(0x3e, "/lib/ld-musl-x86_64.so.1"),
    { os: "linux", arch: "x64", libc: "musl" },
  ],
  ["ELF RISC-V", elf(0xf3, ""), { os: "linux", arch: "other", libc: "glibc" }],
  ["Mach-O x86_64", machO(0x01000007), { os: "darwin", arch: "x64", libc: null }],
  ["Mach-O arm64", machO(0x0100000c), { os: "darwin", arch: "arm64", libc: null }],
  ["PE x64", pe(0x8664), { os: "windows", arch: "x64", libc: null }],
] as const)("describeExecutable() reads %s", (_, head, expected) => {
  expect(describeExecutable(head)).toEqual(expected);
});

test("describeExecutable() says null for a file that is no executable", () => {
  expect(describeExecutable(new TextEncoder().encode("#!/bin/sh\necho hello\n".repeat(10)))).toBeNull();
  expect(describeExecutable(new Uint8Array(10))).toBeNull();
});

test("describeExecutable() reads the running runtime's own header as this platform", () => {
  const fd = openSync(process.execPath, "r");
  const head = new Uint8Array(headBytes);
  readSync(fd, head, 0, headBytes, 0);
  closeSync(fd);
  const os = process.platform === "win32" ? "windows" : process.platform;
  expect(describeExecutable(head)).toMatchObject({ os, arch: process.arch });
});

test("platformMismatch() names what the file is when it is not the target's platform", () => {
  const arm64 = releaseTargets.find((t) => t.asset === "inferload-linux-arm64")!;
  const musl = releaseTargets.find((t) => t.asset === "inferload-linux-x64-musl")!;
  expect(platformMismatch(arm64, describeExecutable(elf(0xb7, "")))).toBeNull();
  expect(platformMismatch(arm64, describeExecutable(elf(0x3e, "")))).toBe(
    "inferload-linux-arm64: expected a linux/arm64/glibc executable, got linux/x64/glibc",
  );
  expect(platformMismatch(musl, describeExecutable(elf(0x3e, "/lib64/ld-linux-x86-64.so.2")))).toContain(
    "expected a linux/x64/musl executable",
  );
  expect(platformMismatch(arm64, null)).toBe("inferload-linux-arm64: not an ELF, Mach-O or PE executable");
});
