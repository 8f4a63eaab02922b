// Test helper, run as a Worker: the least a client can do. It writes prepared HTTP requests on raw
// keep-alive sockets at a fixed interval and stamps, with nothing else on its thread, the write and
// the first read that carries a streamed token. Against the simulator's truth log its TTFT error is
// this machine's floor (loopback and two threads' wake-ups), which no client
// design can go below; data-truth.e2e.test.ts holds inferload's error to it.
import { connect, type Socket } from "node:net";
import { nowMs } from "../runtime/clock.ts";

export interface ReferenceJob {
  port: number;
  count: number;
  intervalMs: number;
  /** The request body (a streamed completion). */
  body: string;
}

export interface ReferenceStamps {
  /** Per request, in send order: when its bytes were written, and when its first token was read. */
  sentMs: number[];
  firstTokenMs: number[];
}

declare const self: {
  onmessage: ((event: MessageEvent<ReferenceJob>) => void) | null;
  postMessage(message: ReferenceStamps): void;
};

/** Longest a run may take beyond its last send time before it gives up with what it has. */
const GRACE_MS = 10_000;

function run(job: ReferenceJob): Promise<ReferenceStamps> {
  const head = `POST /v1/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(job.body)}\r\n\r\n`;
  const request = Buffer.from(head + job.body);
  const sentMs: number[] = new Array(job.count).fill(Number.NaN);
  const firstTokenMs: number[] = new Array(job.count).fill(Number.NaN);
  // One request at a time on each connection; a new connection when every one is busy.
  const sockets: Socket[] = [];
  const current: number[] = [];
  let done = 0;
  return new Promise((resolve, reject) => {
    let giveUp: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(giveUp);
      for (const s of sockets) s.destroy();
      resolve({ sentMs, firstTokenMs });
    };
    const open = (): number => {
      const c = sockets.length;
      const socket = connect({ host: "127.0.0.1", port: job.port, noDelay: true });
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        const at = nowMs();
        const k = current[c]!;
        if (k < 0) return;
        if (Number.isNaN(firstTokenMs[k]!) && chunk.includes('"choices"')) firstTokenMs[k] = at;
        if (chunk.includes("data: [DONE]")) {
          current[c] = -1;
          if (++done === job.count) finish();
        }
      });
      sockets.push(socket);
      current.push(-1);
      return c;
    };
    for (let c = 0; c < 4; c++) open();
    const t0 = nowMs() + 200;
    giveUp = setTimeout(finish, 200 + job.count * job.intervalMs + GRACE_MS);
    let k = 0;
    const next = () => {
      if (k === job.count) return;
      const wait = t0 + k * job.intervalMs - nowMs();
      if (wait > 0) {
        setTimeout(next, wait);
        return;
      }
      const idle = current.indexOf(-1);
      const c = idle >= 0 ? idle : open();
      current[c] = k;
      sentMs[k] = nowMs();
      sockets[c]!.write(request);
      k++;
      next();
    };
    next();
  });
}

self.onmessage = (event) => {
  run(event.data).then(
    (stamps) => self.postMessage(stamps),
    (error: unknown) => {
      throw error;
    },
  );
};
