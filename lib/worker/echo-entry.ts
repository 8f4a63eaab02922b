// A trivial Worker used by `inferload doctor` to prove that Workers start (also from the compiled binary).
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event: MessageEvent) => {
  scope.postMessage({ echo: event.data, threadTime: performance.timeOrigin + performance.now() });
};
