// A counting semaphore in Deno's shape: synchronous decrement, FIFO waiters, hand-off on release.
// No deferred microtask accounting: tryAcquire() and release() change the count at once, and a release
// with waiters passes its permit straight to the oldest one (the count never drops to free then up).

export class Semaphore {
  #free: number;
  readonly #max: number;
  // A queue as an array plus head index: O(1) shift without Array#shift's copying.
  #waiters: (() => void)[] = [];
  #head = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`Semaphore size must be an integer >= 0, got ${max}`);
    this.#free = max;
    this.#max = max;
  }

  get max(): number {
    return this.#max;
  }

  /** Permits currently held. */
  get inUse(): number {
    return this.#max - this.#free;
  }

  /** Callers queued for a permit. */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /** Take a permit now if one is free. */
  tryAcquire(): boolean {
    if (this.#free > 0) {
      this.#free--;
      return true;
    }
    return false;
  }

  /** Resolves once the caller holds a permit; callers are served in arrival order. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = noop;
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      next(); // hand-off: the permit moves to the waiter, #free is unchanged
      return;
    }
    if (this.#free >= this.#max) throw new RangeError("Semaphore released more often than acquired");
    this.#free++;
  }
}

function noop(): void {}
