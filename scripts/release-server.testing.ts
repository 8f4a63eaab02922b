// Test stand-ins for the release path: a server on 127.0.0.1 with GitHub's release download layout
// (URL/latest redirects to URL/tag/TAG, assets at URL/download/TAG/NAME), serving release folders
// from disk and logging every request; and a spawn that does not block the event loop (the server
// runs in the test's own process, so spawnSync would starve it).
import { spawn } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface ReleaseServer {
  /** The releases URL, as `https://github.com/OWNER/REPO/releases` would be. */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** `releases` maps a tag to the folder holding its assets; `latest` is the tag URL/latest points at. */
export async function startReleaseServer(
  releases: Record<string, string>,
  latest: string,
): Promise<ReleaseServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    if (path === "/releases/latest") {
      res.writeHead(302, { location: `/releases/tag/${latest}` }).end();
      return;
    }
    if (path.startsWith("/releases/tag/")) {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>release page</html>");
      return;
    }
    const asset = /^\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
    const dir = asset === null ? undefined : releases[asset[1]!];
    const file = dir === undefined || asset === null ? undefined : join(dir, asset[2]!);
    if (file === undefined || !existsSync(file)) {
      res.writeHead(404).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-length": statSync(file).size, "content-type": "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/releases`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking this process, killing it after `timeoutMs`. */
export function run(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
