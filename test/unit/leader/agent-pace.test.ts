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
    expect(run([5, 5, 5], paced).pace).toEqual({ stateIntervalMs: 750, kvFlushIntervalMs: 150 });
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
    expect(run(Array<number>(6).fill(1), paced).pace).toEqual(UNPACED);
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
