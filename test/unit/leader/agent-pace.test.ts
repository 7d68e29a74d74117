import { describe, expect, it } from 'vitest';
import { agentPacer } from '../../../src/leader/agent-pacer.js';
import { createRegistry, silentLogger } from '../../../src/shared/index.js';
import {
  DEFAULT_PACE_POLICY as policy,
  UNPACED,
  nextPace,
  type PaceState,
} from '../../../src/leader/agent-pace.js';

const run = (p99s: number[], from: PaceState = { pace: UNPACED, calm: 0 }): PaceState =>
  p99s.reduce((state, p99) => nextPace(state, p99, policy), from);

describe('nextPace', () => {
  it('stays unpaced while the leader keeps up, whatever the calm', () => {
    expect(run([0, 5, 12, 19, 2])).toEqual({ pace: UNPACED, calm: 0 });
  });

  it('stretches from the agents’ defaults on each overloaded window, up to the maxima', () => {
    expect(run([80]).pace).toEqual({ stateIntervalMs: 750, kvFlushIntervalMs: 150 });
    expect(run([80, 80]).pace).toEqual({ stateIntervalMs: 1125, kvFlushIntervalMs: 225 });
    expect(run(Array<number>(20).fill(500)).pace).toEqual({
      stateIntervalMs: policy.maxStateMs,
      kvFlushIntervalMs: policy.maxKvMs,
    });
  });

  it('holds between the thresholds and relaxes only after enough calm windows in a row', () => {
    const paced = run([80, 80]);
    expect(run([15, 15, 15, 15], paced).pace).toEqual(paced.pace);
    expect(run([5, 5], paced).pace).toEqual(paced.pace);
    expect(run([5, 5, 15, 5, 5], paced).pace).toEqual(paced.pace); // the run was broken
    // 750 ms overloaded (the second window): halfway there, not onto it.
    expect(run([5, 5, 5], paced).pace).toEqual({ stateIntervalMs: 938, kvFlushIntervalMs: 188 });
  });

  it('approaches the pace that overloaded in halves and settles short of it', () => {
    const paced = run([80, 80]); // 1,125 ms after overloading at 750
    const calm = (windows: number): number[] => Array<number>(windows).fill(5);
    expect(run(calm(6), paced).pace).toEqual({ stateIntervalMs: 844, kvFlushIntervalMs: 169 });
    // The next halfway step (797) would be under a tenth of the gap: the pace holds there.
    expect(run(calm(30), paced).pace).toEqual({ stateIntervalMs: 844, kvFlushIntervalMs: 169 });
    // Overloaded at 844: that is now the pace to avoid.
    const again = run([...calm(6), 80], paced);
    expect(again.pace).toEqual({ stateIntervalMs: 1266, kvFlushIntervalMs: 254 });
    expect(again.overloaded).toEqual({
      pace: { stateIntervalMs: 844, kvFlushIntervalMs: 169 },
      windowsAgo: 0,
    });
    expect(run(calm(3), again).pace).toEqual({ stateIntervalMs: 1055, kvFlushIntervalMs: 212 });
  });

  it('forgets the overloaded pace after its memory, then relaxes in full steps', () => {
    const held = run(Array<number>(30).fill(5), run([80, 80]));
    expect(held.overloaded?.windowsAgo).toBe(30);
    const windows = policy.overloadMemoryWindows - 30;
    const calm = (n: number): number[] => Array<number>(n).fill(5);
    // Held to the memory's last window...
    const last = run(calm(windows - 1), held);
    expect(last.pace).toEqual(held.pace);
    expect(last.overloaded?.windowsAgo).toBe(policy.overloadMemoryWindows - 1);
    // ...then full steps: 844 → 563 → under the agents' 500-ms default, no pacing.
    const after = run(calm(windows + 6), held);
    expect(after.overloaded).toBeUndefined();
    expect(after.pace).toEqual(UNPACED);
    // Between the thresholds too the memory ages: it is counted in windows, calm or not.
    expect(run(Array<number>(windows).fill(15), held).overloaded).toBeUndefined();
  });

  it('stretches only when the agents’ messages took enough of the window for it to matter', () => {
    const unpaced: PaceState = { pace: UNPACED, calm: 0 };
    // 2 % of the window on agents' messages: stretching ×1.5 frees 0.67 %, not worth staler reports.
    expect(nextPace(unpaced, 80, policy, 0.02)).toEqual(unpaced);
    // 6 %: it frees 2 %.
    expect(nextPace(unpaced, 80, policy, 0.06).pace).toEqual({
      stateIntervalMs: 750,
      kvFlushIntervalMs: 150,
    });
    // Already paced, still slow, but the messages are no longer the load: the pace eases off.
    const paced = run([80, 80]);
    expect(nextPace(paced, 80, policy, 0.001).pace).toEqual({
      stateIntervalMs: 750,
      kvFlushIntervalMs: 150,
    });
  });

  it('ends pacing once relaxing reaches the agents’ own defaults', () => {
    const paced = run([80, 80]);
    const forgotten: PaceState = { pace: paced.pace, calm: 0 };
    expect(run(Array<number>(6).fill(1), forgotten).pace).toEqual(UNPACED);
    // Overloaded while unpaced: relaxing stops short of the agents' defaults until forgotten.
    expect(run([80, 1, 1, 1, 1, 1, 1]).pace).toEqual({
      stateIntervalMs: 625,
      kvFlushIntervalMs: 125,
    });
  });
});

describe('agentPacer', () => {
  it('ends its run when the leader stops (sleep resolves on abort: no spinning loop)', async () => {
    const pacer = agentPacer({
      pace: () => undefined,
      registry: createRegistry({ defaultMetrics: false }),
      log: silentLogger(),
      windowMs: 5,
    });
    const abort = new AbortController();
    const running = pacer.run(abort.signal);
    await new Promise((r) => setTimeout(r, 30)); // a few windows pass
    abort.abort();
    await expect(running).resolves.toBeUndefined();
  });
});
