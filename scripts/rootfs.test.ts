// The container claim without Docker: the compiled binary runs a benchmark against its built-in
// simulator inside the root filesystem the Dockerfile ships (scripts/rootfs.sh: the binary and the
// libraries ldd names, nothing else), as the image's non-root user, with the whole tree read-only (as
// `docker run --read-only`), the config in a read-only working directory and the reports written to a
// bind-mounted directory. Like a container runtime, the test gives it /proc (a Bun binary reads
// itself through /proc/self/exe) and a clean environment. Needs root (for chroot and mounts) on
// Linux; anywhere else it is skipped, and says so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./compile.ts";
import { compiledBinary } from "./compiled-binary.testing.ts";

const uid = 65532;
/** Tries to write in the working directory and prints the error code (or "written"). */
const probeWrite = `try { require("fs").writeFileSync("/work/probe", "x"); console.log("written") } catch (e) { console.log(e.code) }`;
const skipReason =
  process.platform !== "linux"
    ? "needs Linux"
    : process.getuid?.() !== 0
      ? "needs root (chroot and bind mounts)"
      : spawnSync("unshare", ["--mount", "true"]).status !== 0
        ? "cannot create a mount namespace here (unshare --mount failed)"
        : null;
if (skipReason !== null) console.warn(`SKIPPED bare-rootfs container test: ${skipReason}`);

let dir = "";
let root = "";
beforeAll(() => {
  if (skipReason !== null) return;
  dir = mkdtempSync(join(tmpdir(), "inferload-rootfs-"));
  root = join(dir, "rootfs");
  const laid = spawnSync("sh", [join(repoRoot, "scripts", "rootfs.sh"), compiledBinary(), root], {
    encoding: "utf8",
  });
  if (laid.status !== 0) throw new Error(`rootfs.sh failed: ${laid.stderr}`);
}, 180_000);
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** Every regular file under `base`, as absolute paths inside the rootfs. */
function filesUnder(base: string, prefix = ""): string[] {
  return readdirSync(join(base, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(base, path) : [path];
  });
}

test.skipIf(skipReason !== null)(
  "the rootfs holds only the binary, its C libraries and the user files",
  () => {
    const files = filesUnder(root);
    const libraries = files.filter((f) => f.startsWith("/lib"));
    expect(files.sort()).toEqual(
      ["/etc/group", "/etc/passwd", ...libraries, "/usr/local/bin/inferload"].sort(),
    );
    // The loader and glibc's parts only: no Node, no Bun, no shell.
    for (const lib of libraries)
      expect(lib).toMatch(/\/(ld-linux[-\w]*|lib(c|m|dl|pthread|rt|gcc_s))\.so(\.\d+)*$/);
    expect(libraries.some((lib) => /\/libc\.so\.6$/.test(lib))).toBe(true);
  },
);

test.skipIf(skipReason !== null)(
  "the binary runs a benchmark there as a non-root user, all read-only but the mounted reports directory",
  () => {
    const config = join(dir, "config");
    const reports = join(dir, "reports");
    mkdirSync(config);
    mkdirSync(reports);
    spawnSync("chown", [`${uid}:${uid}`, reports]);
    copyFileSync(join(repoRoot, "fixtures", "configs", "quickstart.yaml"), join(config, "bench.yaml"));
    mkdirSync(join(root, "proc"));
    mkdirSync(join(root, "reports"));

    // Inside a private mount namespace (the mounts vanish with it): the rootfs read-only, the config
    // directory read-only at /work, the reports directory at /reports, then enter the rootfs as the
    // image's user. First prove the working directory really is read-only, using the binary's own
    // runtime (there is no shell in the rootfs); then run the benchmark.
    const enter = `unshare --root="$ROOT" --wd=/work --setuid=${uid} --setgid=${uid} /usr/local/bin/inferload`;
    const script = [
      // `docker run --read-only`: the whole tree read-only, then what a container runtime adds.
      'mount --bind "$ROOT" "$ROOT"',
      'mount -o remount,bind,ro "$ROOT"',
      'mount -t proc proc "$ROOT/proc"',
      'mount --bind "$CONFIG" "$ROOT/work"',
      'mount -o remount,bind,ro "$ROOT/work"',
      'mount --bind "$REPORTS" "$ROOT/reports"',
      `probe=$(BUN_BE_BUN=1 ${enter} -e '${probeWrite}')`,
      'if [ "$probe" != EROFS ]; then echo "writing in /work: $probe (expected EROFS)" >&2; exit 97; fi',
      `exec ${enter} run -c bench.yaml --quiet --output-dir /reports \\`,
      `  --set 'load.stages=[{"rate":5,"duration":1}]' --set load.num_workers=1`,
    ].join("\n");
    const run = spawnSync("unshare", ["--mount", "--pid", "--fork", "sh", "-c", script], {
      encoding: "utf8",
      timeout: 120_000,
      // A container's environment: nothing from the host.
      env: { ROOT: root, CONFIG: config, REPORTS: reports, HOME: "/home/nonroot", NO_COLOR: "1" },
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    const summary = JSON.parse(readFileSync(join(reports, "summary_lifecycle_metrics.json"), "utf8"));
    expect(summary.successes.count).toBeGreaterThan(0);
    expect(summary.failures.count).toBe(0);
    expect(statSync(join(reports, "summary_lifecycle_metrics.json")).uid).toBe(uid);
    expect(readdirSync(config)).toEqual(["bench.yaml"]);
  },
  150_000,
);
