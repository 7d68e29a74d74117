/** Which parts of one file are done: one bit per part, the form the parts journal stores. */
export class PartBitmap {
  readonly count: number;
  readonly #bits: Uint8Array;
  #done = 0;

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`bad part count ${count}`);
    this.count = count;
    this.#bits = new Uint8Array(Math.ceil(count / 8));
  }

  /**
   * The bitmap `bytes` encode for `count` parts, or undefined when the length is wrong or a bit
   * past `count` is set (a journal written for another plan).
   */
  static fromBytes(count: number, bytes: Uint8Array): PartBitmap | undefined {
    const bitmap = new PartBitmap(count);
    if (bytes.length !== bitmap.#bits.length) return undefined;
    for (let i = 0; i < bytes.length * 8; i++) {
      const on = ((bytes[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
      if (!on) continue;
      if (i >= count) return undefined;
      bitmap.set(i);
    }
    return bitmap;
  }

  has(index: number): boolean {
    return ((this.#bits[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }

  set(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`part ${index} outside 0..${this.count - 1}`);
    if (this.has(index)) return;
    this.#bits[index >> 3] = (this.#bits[index >> 3] ?? 0) | (1 << (index & 7));
    this.#done++;
  }

  /** Number of parts set. */
  get doneCount(): number {
    return this.#done;
  }

  /** True when every part is done (also for a file with no parts). */
  get complete(): boolean {
    return this.#done === this.count;
  }

  /** A copy of the bits, part 0 in the lowest bit of byte 0. */
  toBytes(): Uint8Array {
    return this.#bits.slice();
  }
}
