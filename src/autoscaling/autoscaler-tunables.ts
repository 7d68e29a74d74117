/**
 * A PodAutoscaler's tunables from its annotations and spec (reference/aibrix.md §4.1). Keys are
 * read under AIBrix's prefix `autoscaling.aibrix.ai/` and ours `autoscaling.infernode.io/`;
 * ours wins when both are set, so a manifest written for AIBrix works unchanged. A bad value
 * falls back to the default and adds a problem line (the controller reports problems as a
 * ValidSpec=False condition); parsing never throws.
 */
import {
  DEFAULT_AUTOSCALER_TUNABLES,
  DEFAULT_OBSERVE_WINDOW_SECONDS,
  DEFAULT_PANIC_WINDOW_SECONDS,
} from './default-tunables.js';
import { parseGoDurationMs } from './go-duration.js';
import type { PodAutoscaler } from './pod-autoscaler.js';
import type { AutoscalerTunables } from './scaling-contract.js';

/** AIBrix's annotation prefix. */
export const AIBRIX_ANNOTATION_PREFIX = 'autoscaling.aibrix.ai/';
/** Our annotation prefix (wins over AIBrix's). */
export const INFERNODE_ANNOTATION_PREFIX = 'autoscaling.infernode.io/';
/** Longest window the spec allows, s. */
export const MAX_WINDOW_SECONDS = 3600;

/** Tunables and what was wrong with the input (empty when all was valid). */
export interface ParsedTunables {
  readonly tunables: AutoscalerTunables;
  readonly problems: string[];
}

type Reader = (key: string) => { text: string; name: string } | undefined;

function readerOf(annotations: Readonly<Record<string, string>> | undefined): Reader {
  return (key) => {
    for (const prefix of [INFERNODE_ANNOTATION_PREFIX, AIBRIX_ANNOTATION_PREFIX]) {
      const text = annotations?.[prefix + key];
      if (typeof text === 'string') return { text, name: prefix + key };
    }
    return undefined;
  };
}

/** Parses the tunables of `pa` (see the file comment). */
export function parseTunables(pa: PodAutoscaler): ParsedTunables {
  const problems: string[] = [];
  const read = readerOf(pa.metadata.annotations);
  const d = DEFAULT_AUTOSCALER_TUNABLES;
  const number = (key: string, fallback: number, ok: (n: number) => boolean, rule: string) => {
    const found = read(key);
    if (!found) return fallback;
    const n = found.text.trim() === '' ? Number.NaN : Number(found.text);
    if (Number.isFinite(n) && ok(n)) return n;
    problems.push(`${found.name}: ${JSON.stringify(found.text)} is not ${rule}; using ${fallback}`);
    return fallback;
  };
  const duration = (key: string, fallbackMs: number, ok: (ms: number) => boolean = () => true) => {
    const found = read(key);
    if (!found) return fallbackMs;
    const ms = parseGoDurationMs(found.text);
    if (ms !== undefined && ok(ms)) return ms;
    problems.push(
      `${found.name}: ${JSON.stringify(found.text)} is not a duration like "300s", "5m" or "1h30m"` +
        `; using ${fallbackMs / 1000}s`,
    );
    return fallbackMs;
  };
  const minReplicas = pa.spec.minReplicas;
  const scaleToZeroDefault = minReplicas === 0;
  let scaleToZero = scaleToZeroDefault;
  const zero = read('scale-to-zero');
  if (zero) {
    const text = zero.text.trim().toLowerCase();
    if (text === 'true' || text === 'false') scaleToZero = text === 'true';
    else
      problems.push(
        `${zero.name}: ${JSON.stringify(zero.text)} is not true or false; using ${scaleToZeroDefault}`,
      );
  }
  const { stableWindowMs, panicWindowMs } = windows(pa, problems);
  const tunables: AutoscalerTunables = {
    maxScaleUpRate: number('max-scale-up-rate', d.maxScaleUpRate, (n) => n > 1, 'a number above 1'),
    maxScaleDownRate: number(
      'max-scale-down-rate',
      d.maxScaleDownRate,
      (n) => n > 1,
      'a number above 1',
    ),
    scaleUpTolerance: number(
      'scale-up-tolerance',
      d.scaleUpTolerance,
      (n) => n >= 0 && n < 1,
      'a number in [0, 1)',
    ),
    scaleDownTolerance: number(
      'scale-down-tolerance',
      d.scaleDownTolerance,
      (n) => n >= 0 && n < 1,
      'a number in [0, 1)',
    ),
    panicThreshold: number('panic-threshold', d.panicThreshold, (n) => n > 1, 'a number above 1'),
    scaleUpCooldownMs: duration('scale-up-cooldown-window', d.scaleUpCooldownMs),
    scaleDownCooldownMs: duration('scale-down-cooldown-window', d.scaleDownCooldownMs),
    scaleToZero,
    scaleToZeroDelayMs: duration('scale-to-zero-delay', d.scaleToZeroDelayMs),
    stableWindowMs,
    panicWindowMs,
    sloTtftMs: duration('slo-ttft', d.sloTtftMs, (ms) => ms > 0),
  };
  if (scaleToZero && minReplicas !== undefined && minReplicas > 0) {
    problems.push(
      `scale-to-zero is on but minReplicas is ${minReplicas}: the target never reaches zero`,
    );
  }
  return { tunables, problems };
}

/** spec.observeWindowSeconds and spec.panicWindowSeconds: defaults, 1–3600, panic ≤ observe. */
function windows(
  pa: PodAutoscaler,
  problems: string[],
): { stableWindowMs: number; panicWindowMs: number } {
  const seconds = (
    field: 'observeWindowSeconds' | 'panicWindowSeconds',
    fallback: number,
  ): number => {
    const v = pa.spec[field];
    if (v === undefined) return fallback;
    if (!Number.isFinite(v)) {
      problems.push(`spec.${field}: ${String(v)} is not a number; using ${fallback}`);
      return fallback;
    }
    const clamped = Math.min(MAX_WINDOW_SECONDS, Math.max(1, v));
    if (clamped !== v)
      problems.push(`spec.${field}: ${v} is outside 1–${MAX_WINDOW_SECONDS}; using ${clamped}`);
    return clamped;
  };
  const observe = seconds('observeWindowSeconds', DEFAULT_OBSERVE_WINDOW_SECONDS);
  let panic = seconds('panicWindowSeconds', Math.min(DEFAULT_PANIC_WINDOW_SECONDS, observe));
  if (panic > observe) {
    problems.push(
      `spec.panicWindowSeconds ${panic} is above observeWindowSeconds ${observe}; using ${observe}`,
    );
    panic = observe;
  }
  return { stableWindowMs: observe * 1000, panicWindowMs: panic * 1000 };
}
