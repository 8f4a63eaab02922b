// A hashed timing wheel: one shared clock drives every open stream instead of a timer per token.
// Pure: the caller passes `now` to advance(); no timers here.
//
// Time is cut into ticks of `resolutionMs`; an entry due at t goes into bucket floor(t / res) mod size.
// advance(now) walks the buckets from the last processed tick to now's tick and fires every entry whose
// due time has passed. Entries more than one rotation ahead stay in their bucket and are re-checked
// when the wheel comes round again (cheap: at most a few per rotation for multi-second delays).
// Entries added for a tick already processed go to the next unprocessed tick, so none is ever lost.

export class TimingWheel<T> {
  readonly #res: number;
  readonly #buckets: { due: number; item: T }[][];
  /** The next absolute tick index not yet processed. */
  #cursor = Number.NaN;
  #size = 0;

  constructor(options: { resolutionMs?: number; slots?: number } = {}) {
    this.#res = options.resolutionMs ?? 1;
    const slots = options.slots ?? 1024;
    if (!(this.#res > 0) || !Number.isInteger(slots) || slots < 1) {
      throw new RangeError(
        `TimingWheel needs resolutionMs > 0 and slots >= 1, got ${this.#res} and ${slots}`,
      );
    }
    this.#buckets = Array.from({ length: slots }, () => []);
  }

  get size(): number {
    return this.#size;
  }

  add(dueMs: number, item: T): void {
    let tick = Math.floor(dueMs / this.#res);
    if (Number.isNaN(this.#cursor)) this.#cursor = tick;
    if (tick < this.#cursor) tick = this.#cursor;
    this.#bucket(tick).push({ due: dueMs, item });
    this.#size++;
  }

  /** Fire `fire(item, dueMs)` for every entry due at or before `nowMs`, in tick order. */
  advance(nowMs: number, fire: (item: T, dueMs: number) => void): void {
    if (this.#size === 0) {
      this.#cursor = Number.NaN;
      return;
    }
    const last = Math.floor(nowMs / this.#res);
    const slots = this.#buckets.length;
    // After a long pause, one pass over every bucket is enough: each entry's own due time decides.
    if (last - this.#cursor >= slots) this.#cursor = last - slots + 1;
    while (this.#cursor <= last && this.#size > 0) {
      const tick = this.#cursor;
      const index = ((tick % slots) + slots) % slots;
      const entries = this.#buckets[index] as { due: number; item: T }[];
      if (entries.length === 0) {
        if (tick === last) break;
        this.#cursor++;
        continue;
      }
      this.#buckets[index] = [];
      // The current tick stays open: entries due later within it (or added for it while firing)
      // wait in its bucket for the next advance.
      if (tick < last) this.#cursor = tick + 1;
      for (const entry of entries) {
        if (entry.due <= nowMs) {
          this.#size--;
          fire(entry.item, entry.due);
        } else {
          this.#bucket(Math.max(Math.floor(entry.due / this.#res), this.#cursor)).push(entry);
        }
      }
      // Firing may add entries already due (zero ITL): run the current tick again for them.
      if (tick === last && !this.#bucket(last).some((e) => e.due <= nowMs)) break;
    }
  }

  #bucket(tick: number): { due: number; item: T }[] {
    const slots = this.#buckets.length;
    return this.#buckets[((tick % slots) + slots) % slots] as { due: number; item: T }[];
  }
}
