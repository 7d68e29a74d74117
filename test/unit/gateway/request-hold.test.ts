import { describe, expect, it } from 'vitest';
import { RequestHold } from '../../../src/gateway/index.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { holdForModel } from '../../../src/gateway/hold-for-model.js';
import { FakeExpectedModels } from '../../helpers/fake-expected-models.js';
import { waitFor } from '../../helpers/wait-for.js';

function aHold(
  expected: FakeExpectedModels,
  settings: { holdTimeoutMs?: number; maxHeldRequests?: number } = {},
) {
  const registry = createRegistry({ defaultMetrics: false });
  const hold = new RequestHold({
    expected,
    registry,
    log: silentLogger(),
    holdTimeoutMs: settings.holdTimeoutMs ?? 60_000,
    maxHeldRequests: settings.maxHeldRequests ?? 100,
  });
  const outcomes = async (): Promise<Record<string, number>> => {
    const metric = await registry.getSingleMetric('infernode_gateway_hold_outcomes_total')!.get();
    return Object.fromEntries(metric.values.map((v) => [String(v.labels.outcome), v.value]));
  };
  return { hold, registry, outcomes };
}

describe('RequestHold', () => {
  it('holds only expected models that are not ready', () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold } = aHold(expected);
    expect(hold.shouldHold('m')).toBe(true);
    expect(hold.shouldHold('other')).toBe(false);
    expected.ready.add('m');
    expect(hold.shouldHold('m')).toBe(false);
  });

  it('releases held requests in arrival order when the model becomes ready, and signals demand', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold, outcomes } = aHold(expected);
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) =>
      hold.wait('m', new AbortController().signal).then((o) => {
        order.push(i);
        return o;
      }),
    );
    expect(hold.held('m')).toBe(3);
    expect(hold.held()).toBe(3);
    expect(expected.demands).toEqual(['m', 'm', 'm']);
    // One readiness watch per model, however many wait.
    expect(expected.watches).toHaveLength(1);
    expected.markReady('m');
    expect(await Promise.all(waits)).toEqual(['released', 'released', 'released']);
    expect(order).toEqual([0, 1, 2]);
    expect(hold.held()).toBe(0);
    expect(await outcomes()).toEqual({ released: 3 });
  });

  it('refuses at once when the queue is full, across models', async () => {
    const expected = new FakeExpectedModels(['a', 'b']);
    const { hold, outcomes } = aHold(expected, { maxHeldRequests: 2 });
    const first = hold.wait('a', new AbortController().signal);
    const second = hold.wait('b', new AbortController().signal);
    expect(await hold.wait('a', new AbortController().signal)).toBe('full');
    expect(hold.held()).toBe(2);
    expected.markReady('a');
    expected.markReady('b');
    expect(await Promise.all([first, second])).toEqual(['released', 'released']);
    expect(await outcomes()).toEqual({ full: 1, released: 2 });
  });

  it('times out a request past its hold time and lets go of the watch when nobody waits', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold, outcomes } = aHold(expected, { holdTimeoutMs: 50 });
    expect(await hold.wait('m', new AbortController().signal)).toBe('timeout');
    expect(hold.held('m')).toBe(0);
    expect(expected.watches[0]!.signal.aborted).toBe(true);
    expect(await outcomes()).toEqual({ timeout: 1 });
  });

  it('uses the model’s own hold time when it names one', async () => {
    const expected = new FakeExpectedModels(['adapter']);
    expected.holdTimes.set('adapter', 20);
    const { hold } = aHold(expected, { holdTimeoutMs: 3_600_000 });
    expect(hold.timeoutMsFor('adapter')).toBe(20);
    expect(await hold.wait('adapter', new AbortController().signal)).toBe('timeout');
  });

  it('takes a request whose client leaves out of the queue; the others stay in order', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold, outcomes } = aHold(expected);
    const leaving = new AbortController();
    const first = hold.wait('m', new AbortController().signal);
    const gone = hold.wait('m', leaving.signal);
    const third = hold.wait('m', new AbortController().signal);
    leaving.abort();
    expect(await gone).toBe('client-gone');
    expect(hold.held('m')).toBe(2);
    expected.markReady('m');
    expect(await Promise.all([first, third])).toEqual(['released', 'released']);
    expect(await outcomes()).toEqual({ 'client-gone': 1, released: 2 });
  });

  it('releases held requests to normal routing when the readiness source fails', async () => {
    const expected = new FakeExpectedModels(['m']);
    expected.failWith = new Error('source broke');
    const { hold } = aHold(expected);
    expect(await hold.wait('m', new AbortController().signal)).toBe('released');
    expect(hold.held()).toBe(0);
  });
});

describe('holdForModel', () => {
  it('routes at once a model that is not expected, and a ready one', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold } = aHold(expected);
    const signal = new AbortController().signal;
    expect(await holdForModel(hold, 'unknown', { signal }, systemClock, 1)).toBeUndefined();
    expected.ready.add('m');
    expect(await holdForModel(hold, 'm', { signal }, systemClock, 1)).toBeUndefined();
    expect(expected.demands).toEqual([]);
  });

  it('answers 503 model_not_ready with Retry-After in the OpenAI shape after the hold time', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold } = aHold(expected, { holdTimeoutMs: 30 });
    const refusal = await holdForModel(hold, 'm', new AbortController(), systemClock, 7);
    expect(refusal?.status).toBe(503);
    expect(refusal?.headers).toEqual({ 'retry-after': '7' });
    expect(refusal?.body.error.code).toBe('model_not_ready');
    expect(refusal?.body.error.type).toBe('overloaded_error');
  });

  it('waits again when the model is released but not ready any more, within the same hold time', async () => {
    const expected = new FakeExpectedModels(['m']);
    const { hold } = aHold(expected, { holdTimeoutMs: 60_000 });
    const result = holdForModel(hold, 'm', new AbortController(), systemClock, 1);
    await waitFor(() => hold.held('m') === 1, 'the request held');
    expected.markReady('m');
    expected.ready.delete('m'); // gone again before the request looked
    await waitFor(() => hold.held('m') === 1 && expected.watches.length === 2, 'held again');
    expected.markReady('m');
    expect(await result).toBeUndefined();
  });
});
