/**
 * GCRA (generic cell rate algorithm), the arithmetic both rate-limit stores share. A limit of
 * `limit` units per `windowMs` is a virtual scheduling clock: each unit pushes the key's
 * theoretical arrival time (TAT) forward by `emissionIntervalMs = windowMs / limit`; a charge is
 * admitted while the TAT stays within `burstMs` (= windowMs, so a full window's worth may burst)
 * of now. It equals a token bucket of `limit` refilled continuously, needs one number per key,
 * gives an exact Retry-After, and takes refunds by moving the TAT back. The Redis store runs the
 * same steps in Lua.
 */

/** One charge against one limit. */
export interface GcraCharge {
  /** Store key, e.g. `u:alice:tpm`. */
  readonly key: string;
  /** ms of budget one unit uses: window / limit. */
  readonly emissionIntervalMs: number;
  /** How far ahead of now the TAT may run: the window, ms. */
  readonly burstMs: number;
  /** Units charged (requests or tokens), > 0. */
  readonly amount: number;
}

/** Outcome of a reservation across several limits (all or nothing). */
export type ReserveOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Index of the first charge that did not fit. */
      readonly index: number;
      /** ms until every failing charge would fit; Infinity when one can never fit. */
      readonly retryAfterMs: number;
    };

/** The TAT after admitting `charge` on top of `tat` (undefined = idle key) at `nowMs`. */
export function gcraNextTat(tat: number | undefined, charge: GcraCharge, nowMs: number): number {
  return Math.max(tat ?? nowMs, nowMs) + charge.amount * charge.emissionIntervalMs;
}

/**
 * Checks every charge against its key's TAT; returns the new TATs when all fit, or which one did
 * not and when it would (no TAT changes then).
 */
export function gcraReserve(
  tats: readonly (number | undefined)[],
  charges: readonly GcraCharge[],
  nowMs: number,
): { readonly outcome: ReserveOutcome; readonly newTats: readonly number[] } {
  const newTats: number[] = [];
  let failed = -1;
  let retryAfterMs = 0;
  charges.forEach((charge, i) => {
    const next = gcraNextTat(tats[i], charge, nowMs);
    newTats.push(next);
    if (next - nowMs <= charge.burstMs) return;
    if (failed < 0) failed = i;
    const wait =
      charge.amount * charge.emissionIntervalMs > charge.burstMs
        ? Infinity
        : next - charge.burstMs - nowMs;
    retryAfterMs = Math.max(retryAfterMs, wait);
  });
  return failed < 0
    ? { outcome: { ok: true }, newTats }
    : { outcome: { ok: false, index: failed, retryAfterMs }, newTats };
}

/**
 * The TAT after adjusting a key by `delta` units at `nowMs`: a refund (delta < 0) moves it back
 * but never before now (an idle key has its full budget already); a charge (delta > 0) moves it
 * forward even past the burst (debt that later requests wait out). Undefined when the key is idle
 * and nothing is charged.
 */
export function gcraAdjust(
  tat: number | undefined,
  emissionIntervalMs: number,
  delta: number,
  nowMs: number,
): number | undefined {
  if (delta < 0)
    return tat === undefined || tat <= nowMs
      ? tat
      : Math.max(nowMs, tat + delta * emissionIntervalMs);
  return Math.max(tat ?? nowMs, nowMs) + delta * emissionIntervalMs;
}
