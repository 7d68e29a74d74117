import { describe, expect, it } from 'vitest';
import {
  UNKNOWN_LIVENESS,
  isEngineReady,
  observeLiveness,
  type Liveness,
  type LivenessObservation,
} from '../../../src/agent/engine-liveness.js';

function run(observations: Omit<LivenessObservation, 'nowMs'>[], stepMs = 500): Liveness {
  let l = UNKNOWN_LIVENESS;
  observations.forEach((o, i) => (l = observeLiveness(l, { ...o, nowMs: (i + 1) * stepMs })));
  return l;
}

const ok = { healthOk: true, servedRequests: false };
const down = { healthOk: false, servedRequests: false };
const busy = { healthOk: false, servedRequests: true };

describe('engine liveness', () => {
  it.each([
    ['never checked', [], false],
    ['health answered', [ok], true],
    ['one failed health check is tolerated', [ok, down], true],
    ['two failed health checks in a row: unready', [ok, down, down], false],
    ['recovers on the next 2xx', [ok, down, down, ok], true],
    ['health never answered', [down, down, down], false],
    [
      'a slow health endpoint does not unready an engine that finishes requests',
      [ok, busy, busy, busy],
      true,
    ],
  ] as const)('%s', (_name, observations, ready) => {
    const l = run([...observations]);
    expect(isEngineReady(l, observations.length * 500, 1000)).toBe(ready);
  });

  it('forgets served requests older than the recent window', () => {
    const l = run([ok, busy, down, down, down]);
    expect(isEngineReady(l, 2500, 1000)).toBe(false);
    expect(isEngineReady(run([ok, down, busy]), 1500, 1000)).toBe(true);
  });
});
