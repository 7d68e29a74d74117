/**
 * Kubernetes' rolling-update fenceposts (pkg/controller/deployment/util ResolveFenceposts):
 * maxSurge rounds up, maxUnavailable rounds down, and when both resolve to 0 maxUnavailable
 * becomes 1 so a rollout can always move. Pure.
 */

/** The two bounds of a rolling update, resolved against the desired replica count. */
export interface Fenceposts {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

/** An int-or-string that is not a count or a percentage ("25%"). */
export class InvalidIntOrPercent extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown) {
    super(
      `${field} must be a non-negative integer or a percentage like "25%", got ${JSON.stringify(value)}`,
    );
    this.field = field;
    this.value = value;
  }
}

const PERCENT = /^(\d{1,9})%$/;

/**
 * An int-or-percent scaled against `total` (GetScaledValueFromIntOrPercent): an integer as is,
 * a percentage of `total` rounded up or down. Unset counts as 0, as AIBrix resolves it (no 25%
 * defaulting). Throws {@link InvalidIntOrPercent} for anything else (a plain "1" included, as
 * Kubernetes rejects it).
 */
export function scaledIntOrPercent(
  field: string,
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new InvalidIntOrPercent(field, value);
    return value;
  }
  const match = PERCENT.exec(value);
  if (match === null) throw new InvalidIntOrPercent(field, value);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** ResolveFenceposts for `desired` replicas. Throws {@link InvalidIntOrPercent}. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): Fenceposts {
  const surge = scaledIntOrPercent('maxSurge', maxSurge, desired, true);
  const unavailable = scaledIntOrPercent('maxUnavailable', maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge: surge, maxUnavailable: unavailable };
}
