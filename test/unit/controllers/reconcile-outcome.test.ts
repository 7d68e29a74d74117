import { describe, expect, it } from 'vitest';
import { TerminalError, reconcileOutcome } from '../../../src/controllers/index.js';

describe('reconcileOutcome', () => {
  it.each([
    ['returned undefined', { kind: 'returned', result: undefined }, 'success', 'forget'],
    ['returned {}', { kind: 'returned', result: {} }, 'success', 'forget'],
    ['requeue after 0', { kind: 'returned', result: { requeueAfterMs: 0 } }, 'success', 'forget'],
    [
      'requeue after NaN',
      { kind: 'returned', result: { requeueAfterMs: NaN } },
      'success',
      'forget',
    ],
    [
      'requeue after 5 s',
      { kind: 'returned', result: { requeueAfterMs: 5000 } },
      'requeue_after',
      'after',
    ],
    ['an error', { kind: 'threw', error: new Error('x') }, 'error', 'backoff'],
    ['a non-Error', { kind: 'threw', error: 'x' }, 'error', 'backoff'],
    ['a TerminalError', { kind: 'threw', error: new TerminalError('x') }, 'error', 'terminal'],
  ] as const)('%s → %s, %s', (_name, settled, label, next) => {
    const outcome = reconcileOutcome(settled);
    expect(outcome.label).toBe(label);
    expect(outcome.next).toBe(next);
  });
});
