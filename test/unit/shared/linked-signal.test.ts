import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { linkedSignal, sleep } from '../../../src/shared/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('linkedSignal', () => {
  it('aborts with the parent’s reason and lets go of every parent once disposed', () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkedSignal([a.signal, undefined, b.signal], 1000);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(1);
    b.abort(new Error('stop'));
    expect(link.signal.aborted).toBe(true);
    expect((link.signal.reason as Error).message).toBe('stop');
    expect(link.timedOut).toBe(false);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });

  it('times out with a TimeoutError and removes its parent listener', () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const link = linkedSignal([parent.signal], 50);
    vi.advanceTimersByTime(49);
    expect(link.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(link.signal.aborted).toBe(true);
    expect(link.timedOut).toBe(true);
    expect((link.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once when a parent already is', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    const link = linkedSignal([parent.signal], 10);
    expect(link.signal.aborted).toBe(true);
    expect(link.timedOut).toBe(false);
  });

  it('leaves the long-lived signal with no listener after many calls', () => {
    const processSignal = new AbortController().signal;
    for (let i = 0; i < 1000; i++) linkedSignal([processSignal], 60_000).dispose();
    expect(getEventListeners(processSignal, 'abort')).toHaveLength(0);
  });
});

describe('sleep', () => {
  it('removes its abort listener when the timer fires', async () => {
    const processSignal = new AbortController().signal;
    for (let i = 0; i < 20; i++) await sleep(0, processSignal);
    expect(getEventListeners(processSignal, 'abort')).toHaveLength(0);
  });
});
