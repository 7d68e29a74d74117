import { describe, expect, it } from 'vitest';
import { modelsReadDue, type ModelsReadInputs } from '../../../src/agent/models-due.js';

const quiet: ModelsReadInputs = {
  cycle: 2,
  everyN: 4,
  requested: false,
  hasAdapters: false,
  healthRecovered: false,
  counterReset: false,
};

describe('when the watcher reads /v1/models', () => {
  it('reads on the first cycle and every N-th after, not in between', () => {
    const due = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((cycle) => modelsReadDue({ ...quiet, cycle }));
    expect(due).toEqual([true, false, false, false, true, false, false, false, true]);
  });

  it.each([
    ['the adapter manager asked', { requested: true }],
    ['the engine has adapters (a restart would drop them silently)', { hasAdapters: true }],
    ['health came back after failures', { healthRecovered: true }],
    ['the request counter went backwards (new process)', { counterReset: true }],
    ['N is 1', { everyN: 1 }],
  ])('reads at once when %s', (_why, change) => {
    expect(modelsReadDue(quiet)).toBe(false);
    expect(modelsReadDue({ ...quiet, ...change })).toBe(true);
  });
});
