// The per-record cost of the record path, from the load Worker's BatchWriter.add to the main thread's
// collector: add → take (every 1,024) → readBatch → collector.add, for non-streamed records and
// records with 20 token events. Each tree runs in its own process (its own JIT), pinned to
// CLIENT_CPUS, rounds alternating the trees; a process reports the fastest of its passes (noise only
// adds time), and the table gives each tree's median of those with its ratio to BASE.
//
//   bun scripts/bench/record-path.ts
//   env: BASE (another checkout, e.g. the seed's, whose record path is measured alongside),
//        ROUNDS (3), CLIENT_CPUS (1)
// A record carries every field of today's RequestRecord; an older checkout ignores the ones it lacks.
import { spawnSync } from "node:child_process";
import { record } from "../../lib/record/record.testing.ts";
import { fmt, loadAverage, median, root } from "./_client-runs.ts";

const RECORDS_PER_PASS = 400_000;
const PASSES = 12;

async function child(tree: string, streaming: boolean): Promise<number> {
  const { BatchWriter, readBatch } = await import(`${tree}/lib/worker/batch.ts`);
  const { createCollector } = await import(`${tree}/lib/metrics/collector.ts`);
  const config = {
    report: { request_lifecycle: { percentiles: null, max_error_messages: 100 }, goodput: null },
  };
  const records = Array.from({ length: 4096 }, (_, i) => {
    const sent = 1000 + i * 0.1;
    return record({
      index: i,
      scheduledMs: sent - 0.01,
      sentMs: sent,
      headersMs: sent + 0.5,
      endMs: sent + 6,
      // Two events per socket read, as a fast server's tokens arrive.
      tokenEventMs: streaming ? Array.from({ length: 20 }, (_, k) => sent + 1 + (k >> 1)) : [],
      streamed: streaming,
      promptTokens: 4,
      clientOutputTokens: -1,
      serverOutputTokens: 20,
      requestBytes: 120,
      lastAttemptMs: sent,
    });
  });
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < PASSES; pass++) {
    const collector = createCollector({ config, exactLimit: 10_000_000 });
    const writer = new BatchWriter(1024);
    const t0 = process.cpuUsage();
    for (let i = 0; i < RECORDS_PER_PASS; i++) {
      writer.add(records[i & 4095]);
      if (writer.full) for (const r of readBatch(writer.take())) collector.add(r);
    }
    const cpu = process.cpuUsage(t0);
    best = Math.min(best, (cpu.user + cpu.system) / RECORDS_PER_PASS);
  }
  return best;
}

if (process.argv[2] === "--child") {
  const us = await child(process.argv[3]!, process.argv[4] === "1");
  process.stdout.write(`${us}\n`);
} else {
  const rounds = Number(process.env.ROUNDS ?? 3);
  const trees = [root, ...(process.env.BASE ? [process.env.BASE] : [])];
  const load = loadAverage();
  const rows: string[] = [];
  for (const streaming of [false, true]) {
    const per = trees.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [...trees.entries()] : [...trees.entries()].reverse();
      for (const [t, tree] of order) {
        const out = spawnSync(
          "taskset",
          [
            "-c",
            process.env.CLIENT_CPUS ?? "1",
            process.execPath,
            import.meta.path,
            "--child",
            tree,
            streaming ? "1" : "0",
          ],
          { encoding: "utf8" },
        );
        if (out.status !== 0) throw new Error(`record-path child failed: ${out.stderr.slice(-2000)}`);
        const us = Number(out.stdout.trim());
        per[t]!.push(us);
        process.stdout.write(`${JSON.stringify({ tree, streaming, round: r, usPerRecord: us })}\n`);
      }
    }
    for (const [t, tree] of trees.entries()) {
      const us = median(per[t]!);
      const ratio = t === 0 && trees.length > 1 ? `, ${fmt(us / median(per[1]!), 2)}× BASE's` : "";
      rows.push(
        `| record path, ${streaming ? "20 token events" : "non-streamed"}, ${t === 0 ? "this tree" : `BASE ${tree}`} | ${fmt(us * 1000)} ns per record${ratio} |`,
      );
    }
  }
  process.stdout.write(
    `\n| case | result |\n|---|---|\n${rows.join("\n")}\n\nload average before: ${load}; after: ${loadAverage()}\n`,
  );
}
