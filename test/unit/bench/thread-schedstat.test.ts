import { describe, expect, it } from 'vitest';
import {
  parseSchedstat,
  readProcessThreads,
  threadShares,
} from '../../../src/bench/thread-schedstat.js';

describe('parseSchedstat', () => {
  it('reads run ns, wait ns and slices', () => {
    expect(parseSchedstat('177091241 37664758 474\n')).toEqual({
      runNs: 177091241,
      waitNs: 37664758,
      slices: 474,
    });
  });

  it('refuses what is not a schedstat line', () => {
    expect(parseSchedstat('')).toBeUndefined();
    expect(parseSchedstat('12 34')).toBeUndefined();
    expect(parseSchedstat('12 -1 3')).toBeUndefined();
    expect(parseSchedstat('a b c')).toBeUndefined();
  });
});

describe('threadShares', () => {
  it('divides the main thread’s run and wait, and the others’ run, by the wall time', () => {
    const at = (run: number, wait: number, slices: number, others: number) => ({
      main: { runNs: run, waitNs: wait, slices },
      others: { runNs: others, waitNs: 0, slices: 0 },
      threads: 8,
    });
    // 1 s of wall: main ran 600 ms, waited 200 ms over 100 slices; the others ran 300 ms.
    expect(threadShares(at(1e9, 5e8, 1000, 2e9), at(1.6e9, 7e8, 1100, 2.3e9), 1000)).toEqual({
      mainOnCpu: 0.6,
      mainWaitingForCpu: 0.2,
      mainMeanWaitPerSliceMs: 2,
      othersOnCpu: 0.3,
    });
  });

  it('counts no other-thread time when a thread ended in the window', () => {
    const before = {
      main: { runNs: 0, waitNs: 0, slices: 0 },
      others: { runNs: 5e8, waitNs: 0, slices: 9 },
      threads: 9,
    };
    const after = {
      main: { runNs: 1e8, waitNs: 0, slices: 0 },
      others: { runNs: 1e8, waitNs: 0, slices: 2 },
      threads: 7,
    };
    const shares = threadShares(before, after, 1000);
    expect(shares.othersOnCpu).toBe(0);
    expect(shares.mainMeanWaitPerSliceMs).toBe(0);
  });
});

describe('readProcessThreads', () => {
  it('reads this process (Linux /proc): its main thread has run', async () => {
    const times = await readProcessThreads(process.pid);
    expect(times?.main.runNs).toBeGreaterThan(0);
    expect(times?.threads).toBeGreaterThan(1);
  });

  it('is undefined for a process that does not exist', async () => {
    expect(await readProcessThreads(2 ** 30)).toBeUndefined();
  });
});
