// Test helper: a Worker entry that never answers its init, the way a Worker still preparing a large
// workload's data looks to the pool.
(globalThis as unknown as { onmessage: (() => void) | null }).onmessage = () => {};
