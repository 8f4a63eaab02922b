// scripts/install.sh against a fake release on 127.0.0.1, with `uname`, `ldd` and `sysctl` faked so
// every platform of the release table can be "this machine". Assets are tiny shell scripts that
// print their own name, so the installed file shows which asset was picked and that it runs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./compile.ts";
import { type ReleaseServer, run, startReleaseServer } from "./release-server.testing.ts";
import { type ReleaseTarget, releaseTargets } from "./release-targets.ts";
import { writeSha256Sums } from "./sha256sums.ts";

const script = join(repoRoot, "scripts", "install.sh");
let dir = "";
let server: ReleaseServer;

function fakeRelease(tag: string): string {
  const release = join(dir, "releases", tag);
  mkdirSync(release, { recursive: true });
  for (const t of releaseTargets)
    writeFileSync(join(release, t.asset), `#!/bin/sh\necho "inferload ${tag} ${t.asset}"\n`);
  return release;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "inferload-install-"));
  const names = releaseTargets.map((t) => t.asset);
  const latest = fakeRelease("v1.2.0");
  const older = fakeRelease("v1.1.0");
  const tampered = fakeRelease("v1.0.0");
  await writeSha256Sums(latest, names);
  await writeSha256Sums(older, names);
  await writeSha256Sums(tampered, names);
  // The release's checksums were made for other bytes than the ones served now.
  writeFileSync(join(tampered, "inferload-linux-x64"), "#!/bin/sh\necho tampered\n");
  server = await startReleaseServer({ "v1.2.0": latest, "v1.1.0": older, "v1.0.0": tampered }, "v1.2.0");

  const bin = join(dir, "fakebin");
  mkdirSync(bin);
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  fake("uname", 'case "$1" in -s) echo "$FAKE_OS" ;; -m) echo "$FAKE_CPU" ;; *) echo "$FAKE_OS" ;; esac');
  fake(
    "ldd",
    'if [ "$FAKE_LIBC" = musl ]; then echo "musl libc (x86_64)"; else echo "ldd (GNU libc) 2.36"; fi',
  );
  fake("sysctl", 'echo "$FAKE_TRANSLATED"');
});
afterAll(async () => {
  await server?.close();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

interface Machine {
  os: string;
  cpu: string;
  libc?: "musl";
  translated?: "1";
}

/** What `uname` (and ldd) say on a machine the target is for. */
function machineFor(t: ReleaseTarget): Machine {
  const os = { linux: "Linux", darwin: "Darwin", windows: "MINGW64_NT-10.0-20348" }[t.os];
  const cpu = t.arch === "x64" ? "x86_64" : t.os === "linux" ? "aarch64" : "arm64";
  return t.libc === "musl" ? { os, cpu, libc: "musl" } : { os, cpu };
}

async function install(machine: Machine, args: readonly string[] = []) {
  const target = mkdtempSync(join(dir, "bin-"));
  const result = await run("sh", [script, "--dir", target, ...args], {
    env: {
      PATH: `${join(dir, "fakebin")}:${process.env.PATH}`,
      HOME: dir,
      INFERLOAD_RELEASES_URL: server.url,
      FAKE_OS: machine.os,
      FAKE_CPU: machine.cpu,
      FAKE_LIBC: machine.libc ?? "glibc",
      FAKE_TRANSLATED: machine.translated ?? "0",
    },
    timeoutMs: 30_000,
  });
  const name = machine.os.startsWith("MINGW") ? "inferload.exe" : "inferload";
  const installed = join(target, name);
  return { ...result, installed: existsSync(installed) ? readFileSync(installed, "utf8") : null };
}

describe.each(releaseTargets.map((t) => [t.asset, t] as const))("on a machine for %s", (asset, t) => {
  test("install.sh installs that asset from the latest release, checked and runnable", async () => {
    const result = await install(machineFor(t));
    expect(result.stderr).toContain(`installed inferload v1.2.0 ${asset}`);
    expect(result.installed).toBe(`#!/bin/sh\necho "inferload v1.2.0 ${asset}"\n`);
    expect(result.status).toBe(0);
  });
});

test("a Rosetta shell on Apple silicon gets the arm64 build", async () => {
  const result = await install({ os: "Darwin", cpu: "x86_64", translated: "1" });
  expect(result.installed).toContain("inferload-darwin-arm64");
});

test("--version installs that release without asking which one is latest", async () => {
  const before = server.requests.length;
  const result = await install({ os: "Linux", cpu: "x86_64" }, ["--version", "v1.1.0"]);
  expect(result.installed).toContain("inferload v1.1.0 inferload-linux-x64");
  expect(server.requests.slice(before)).toEqual([
    "/releases/download/v1.1.0/SHA256SUMS",
    "/releases/download/v1.1.0/inferload-linux-x64",
  ]);
});

test("a binary that does not match SHA256SUMS is refused and nothing is installed", async () => {
  const result = await install({ os: "Linux", cpu: "x86_64" }, ["--version", "v1.0.0"]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("checksum mismatch for inferload-linux-x64 v1.0.0");
  expect(result.installed).toBeNull();
});

test.each([
  [{ os: "Linux", cpu: "riscv64" }, 'no inferload build for the CPU "riscv64"', []],
  [{ os: "FreeBSD", cpu: "x86_64" }, 'no inferload build for the operating system "FreeBSD"', []],
  [
    { os: "Linux", cpu: "aarch64", libc: "musl" as const },
    "no inferload build for arm64 Linux with musl",
    [],
  ],
  [{ os: "Linux", cpu: "x86_64" }, 'unknown option "--prefix"', ["--prefix", "/usr"]],
  [{ os: "Linux", cpu: "x86_64" }, "cannot download", ["--version", "v9.9.9"]],
] as const)("install.sh refuses %o with a message: %s", async (machine, message, args) => {
  const result = await install(machine, args);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(message);
  expect(result.installed).toBeNull();
});
