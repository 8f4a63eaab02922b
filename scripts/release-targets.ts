// The release's platforms: one row per binary, naming its asset, the `bun build --target` that makes
// it, and the platform it is for (scripts/install.sh picks an asset by the same os/arch/libc, and its
// test checks it against this table). Pure.
import { UserError } from "../lib/cli/errors.ts";

export interface ReleaseTarget {
  /** The file name in dist/release/ and on the GitHub Release. */
  asset: string;
  bunTarget: string;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  /** Linux C library the binary links against; Alpine and other musl systems need the musl build. */
  libc: "glibc" | "musl" | null;
  /** The GitHub-hosted runner that can run it natively (the release workflow smoke-runs it there). */
  runner: string;
}

// x64 targets are Bun's default ("modern", Haswell/2013 and later, AVX2): every cloud x64 instance
// and GitHub runner has it. Older CPUs would need `bun-linux-x64-baseline`, built from source.
export const releaseTargets: readonly ReleaseTarget[] = [
  target("linux", "x64", "glibc", "ubuntu-24.04"),
  target("linux", "arm64", "glibc", "ubuntu-24.04-arm"),
  target("linux", "x64", "musl", "ubuntu-24.04"),
  target("darwin", "x64", null, "macos-15-intel"),
  target("darwin", "arm64", null, "macos-15"),
  target("windows", "x64", null, "windows-2022"),
];

function target(
  os: ReleaseTarget["os"],
  arch: ReleaseTarget["arch"],
  libc: ReleaseTarget["libc"],
  runner: string,
): ReleaseTarget {
  const suffix = libc === "musl" ? "-musl" : "";
  return {
    asset: `inferload-${os}-${arch}${suffix}${os === "windows" ? ".exe" : ""}`,
    bunTarget: `bun-${os}-${arch}${suffix}`,
    os,
    arch,
    libc,
    runner,
  };
}

/** The targets whose asset names match any of the filters (all when none is given). */
export function selectTargets(filters: readonly string[]): ReleaseTarget[] {
  if (filters.length === 0) return [...releaseTargets];
  const unknown = filters.filter((f) => !releaseTargets.some((t) => t.asset.includes(f)));
  if (unknown.length > 0) {
    const names = releaseTargets.map((t) => t.asset).join(", ");
    throw new UserError(
      `Cannot select release targets ${unknown.map((f) => `"${f}"`).join(", ")}: expected part of an asset name (${names})`,
    );
  }
  return releaseTargets.filter((t) => filters.some((f) => t.asset.includes(f)));
}
