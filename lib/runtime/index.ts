// Which runtime we are on. The only module besides its siblings allowed to look at `Bun`/`Deno` globals.
declare const Deno: { version: { deno: string }; build: { os: string } } | undefined;

export type RuntimeName = "bun" | "deno" | "node";

export function runtimeName(): RuntimeName {
  if (typeof Bun !== "undefined") return "bun";
  if (typeof Deno !== "undefined") return "deno";
  return "node";
}

export function runtimeVersion(): string {
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  return `node ${process.versions.node}`;
}

/** True inside a `bun build --compile` executable, where sources live under /$bunfs. */
export function isCompiledBinary(): boolean {
  return import.meta.url.includes("$bunfs");
}
