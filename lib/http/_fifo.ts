// A first-in first-out queue over an array with a moving head: O(1) push and shift, no per-item
// allocation, and the array is reset whenever it runs empty. Pure.
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns everything queued, in order. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head) as T[];
    this.#items.length = 0;
    this.#head = 0;
    return rest;
  }
}
