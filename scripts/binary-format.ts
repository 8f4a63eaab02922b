// Which platform an executable is for, read from its first bytes (ELF, Mach-O or PE header), so the
// release build can check every cross-compiled file without running it or needing `file(1)`. Pure.
import type { ReleaseTarget } from "./release-targets.ts";

export interface ExecutablePlatform {
  os: ReleaseTarget["os"];
  arch: ReleaseTarget["arch"] | "other";
  /** For ELF: musl when the program interpreter is musl's loader. */
  libc: ReleaseTarget["libc"];
}

/** How many leading bytes `describeExecutable` needs (the ELF interpreter path sits in the first pages). */
export const headBytes = 64 * 1024;

export function describeExecutable(head: Uint8Array): ExecutablePlatform | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 64) return null;
  // ELF: 0x7f 'E' 'L' 'F'; e_machine (little-endian u16) at 18: 0x3e x86-64, 0xb7 AArch64.
  if (view.getUint32(0) === 0x7f454c46) {
    const machine = view.getUint16(18, true);
    const interp = new TextDecoder("latin1").decode(head);
    return {
      os: "linux",
      arch: arch(machine, 0x3e, 0xb7),
      libc: interp.includes("/ld-musl-") ? "musl" : "glibc",
    };
  }
  // Mach-O 64-bit, little-endian magic 0xfeedfacf; cputype at 4: x86_64 0x01000007, arm64 0x0100000c.
  if (view.getUint32(0, true) === 0xfeedfacf) {
    return { os: "darwin", arch: arch(view.getUint32(4, true), 0x01000007, 0x0100000c), libc: null };
  }
  // PE: "MZ", the PE header's offset at 0x3c, "PE\0\0" there, then Machine: 0x8664 x64, 0xaa64 ARM64.
  if (view.getUint16(0, true) === 0x5a4d) {
    const pe = view.getUint32(0x3c, true);
    if (pe + 6 > head.length || view.getUint32(pe) !== 0x50450000) return null;
    return { os: "windows", arch: arch(view.getUint16(pe + 4, true), 0x8664, 0xaa64), libc: null };
  }
  return null;
}

function arch(value: number, x64: number, arm64: number): ExecutablePlatform["arch"] {
  return value === x64 ? "x64" : value === arm64 ? "arm64" : "other";
}

/** A sentence saying how `platform` differs from what `target` should be, or null when it matches. */
export function platformMismatch(target: ReleaseTarget, platform: ExecutablePlatform | null): string | null {
  if (platform === null) return `${target.asset}: not an ELF, Mach-O or PE executable`;
  const want = `${target.os}/${target.arch}${target.libc === null ? "" : `/${target.libc}`}`;
  const got = `${platform.os}/${platform.arch}${platform.libc === null ? "" : `/${platform.libc}`}`;
  return want === got ? null : `${target.asset}: expected a ${want} executable, got ${got}`;
}
