// Which threshold events this process has emitted, per key and day, so a switch to the fallback store and back cannot repeat one.

/** Most (key, day) entries remembered; past it the oldest go first. */
const MAX_ENTRIES = 100_000;

/**
 * Remembers the threshold events emitted per key and local day. With a healthy store each
 * count is handed out once, so the check that gets count `ceil(0.9 × cap)` is the only one
 * that can fire 90%. The fallback store counts on its own, though, and reaches counts the
 * store may hand out again when it is back: this memory keeps each threshold to one event
 * per key and day in this process. Bounded by `maxEntries` (one entry per key and day that
 * reached a threshold), the oldest forgotten first; only a forgotten entry could fire again.
 *
 * @example
 * const fired = new FiredThresholds();
 * if (fired.first('shop-web', '2026-11-23', 0.9)) emit(event);
 */
export class FiredThresholds {
  private readonly fired = new Map<string, number>();

  constructor(private readonly maxEntries: number = MAX_ENTRIES) {}

  /** True, and recorded, the first time `threshold` is asked for this key and day. */
  first(keyId: string, day: string, threshold: 0.9 | 1): boolean {
    // A key id cannot hold a space (the policy restricts ids), so the pair is unambiguous.
    const entry = `${keyId} ${day}`;
    const bit = threshold === 1 ? 2 : 1;
    const mask = this.fired.get(entry) ?? 0;
    if ((mask & bit) !== 0) return false;
    if (mask === 0 && this.fired.size >= this.maxEntries) {
      const oldest = this.fired.keys().next();
      if (oldest.done !== true) this.fired.delete(oldest.value);
    }
    this.fired.set(entry, mask | bit);
    return true;
  }

  /** How many (key, day) entries are held. */
  get size(): number {
    return this.fired.size;
  }
}
