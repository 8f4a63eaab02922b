// A stand-in load Worker for send-clock.test.ts: told a send clock's memory and a delay, it waits that
// long and then reports the announced request as sent (sendLeft), from another thread as the real
// load Worker does.
import { sendClockOf, sendLeft } from "./send-clock.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<{ buffer: SharedArrayBuffer; afterMs: number }>) => void) | null;
  postMessage(message: string): void;
};
scope.onmessage = (event) => {
  const clock = sendClockOf(event.data.buffer);
  scope.postMessage("armed");
  if (event.data.afterMs <= 0) sendLeft(clock);
  else setTimeout(() => sendLeft(clock), event.data.afterMs);
};
