/**
 * The `bench gateway` flags of the replicas section and how they become its settings and its
 * part of the reproducing command line. `--replicas 1` (the default) skips the section.
 */
import { int, list, num } from '../shared/index.js';
import type { ReplicasSettings } from './gateway-replicas.js';

/** Spread into the gateway bench's spec. */
export const replicasSpec = {
  replicas: list(
    ['1'],
    'gateway replica counts to compare (e.g. 1,2): starts followers, measures throughput over each count, prefix stickiness across replicas and a leader kill under load; 1 alone: skipped',
    {
      check: (v) =>
        v.length > 0 && v.every((c) => /^[1-9]$/.test(c)) ? undefined : 'expected counts 1–9',
    },
  ),
  stickinessPrompts: int(100, 'replicas: distinct prompts sent through two replicas', { min: 1 }),
  stickinessPromptBytes: int(4096, 'replicas: size of each stickiness prompt, bytes', {
    min: 64,
  }),
  stickinessGapMs: int(
    0,
    'replicas: also measure stickiness with this pause between a prompt’s two requests, ms (0: back to back only)',
    { min: 0 },
  ),
  killDurationS: num(12, 'replicas: seconds of load around the leader kill (kill at ⅓)', {
    min: 1,
  }),
  takeoverAfterMs: int(3000, 'replicas: the followers’ --replicas-takeover-after-ms', {
    min: 100,
  }),
};

/** The typed values of `replicasSpec`. */
export interface ReplicasFlags {
  readonly replicas: readonly string[];
  readonly stickinessPrompts: number;
  readonly stickinessPromptBytes: number;
  readonly stickinessGapMs: number;
  readonly killDurationS: number;
  readonly takeoverAfterMs: number;
}

/** The replica counts asked for, sorted, 1 included; undefined when the section is skipped. */
export function replicaCounts(f: ReplicasFlags): number[] | undefined {
  const counts = [...new Set([1, ...f.replicas.map(Number)])].sort((a, b) => a - b);
  return counts.length > 1 ? counts : undefined;
}

/** The flags' part of the command line (empty when the section is skipped). */
export function replicasCommandLine(f: ReplicasFlags): string {
  if (replicaCounts(f) === undefined) return '';
  return (
    ` --replicas ${f.replicas.join(',')} --stickiness-prompts ${f.stickinessPrompts} ` +
    `--stickiness-prompt-bytes ${f.stickinessPromptBytes} --stickiness-gap-ms ${f.stickinessGapMs} --kill-duration-s ${f.killDurationS} ` +
    `--takeover-after-ms ${f.takeoverAfterMs}`
  );
}

/** The section's settings from the flags and the bench's own load settings. */
export function replicasSettings(
  f: ReplicasFlags,
  counts: readonly number[],
  load: Omit<
    ReplicasSettings,
    | 'counts'
    | 'stickinessPrompts'
    | 'stickinessPromptBytes'
    | 'stickinessGapMs'
    | 'killDurationMs'
    | 'takeoverAfterMs'
  >,
): ReplicasSettings {
  return {
    ...load,
    counts,
    stickinessPrompts: f.stickinessPrompts,
    stickinessPromptBytes: f.stickinessPromptBytes,
    stickinessGapMs: f.stickinessGapMs,
    killDurationMs: f.killDurationS * 1000,
    takeoverAfterMs: f.takeoverAfterMs,
  };
}
