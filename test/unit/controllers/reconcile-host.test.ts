import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DONE,
  ReconcileHost,
  TerminalError,
  type KeySource,
  type ReconcileContext,
  type ReconcileHostSettings,
  type ReconcileResult,
} from '../../../src/controllers/index.js';
import {
  SeededRng,
  createRegistry,
  silentLogger,
  type Registry,
} from '../../../src/shared/index.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

/** Lets the workers run until they wait again (no real time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Call {
  readonly key: string;
  readonly context: ReconcileContext;
}

type Behaviour = (call: Call, n: number) => Promise<ReconcileResult>;

/** A key source the test drives: `emit` names a key, `keys` is what `list` returns. */
class TestSource implements KeySource {
  keys: string[] = [];
  #onKey: ((key: string) => void) | undefined;
  emit(key: string): void {
    this.#onKey?.(key);
  }
  watch(onKey: (key: string) => void): () => void {
    this.#onKey = onKey;
    return () => (this.#onKey = undefined);
  }
  list(): string[] {
    return this.keys;
  }
}

const running: { abort: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.done;
  }
});

function start(behaviour: Behaviour, settings: Partial<ReconcileHostSettings> = {}) {
  const timers = new ManualTimers();
  const registry = createRegistry({ defaultMetrics: false });
  const source = new TestSource();
  const calls: Call[] = [];
  const host = new ReconcileHost({
    name: 'test',
    reconciler: {
      reconcile: (key, context) => {
        const call = { key, context };
        calls.push(call);
        return behaviour(call, calls.filter((c) => c.key === key).length);
      },
    },
    sources: [source],
    log: silentLogger(),
    registry,
    clock: timers.clock,
    rng: new SeededRng(7),
    timers,
    settings: { resyncIntervalMs: 0, ...settings },
  });
  const abort = new AbortController();
  const done = host.run(abort.signal);
  running.push({ abort, done });
  const keysOf = (key?: string) =>
    calls.filter((c) => key === undefined || c.key === key).map((c) => c.key);
  return { host, timers, registry, source, calls, keysOf, abort, done };
}

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const values = (await registry.getSingleMetric(name)!.get()).values;
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('ReconcileHost', () => {
  it('reconciles a key queued many times while it waits once', async () => {
    const blocker = gate();
    const t = start(async ({ key }) => {
      if (key === 'x') await blocker.promise;
      return DONE;
    });
    t.source.emit('x');
    await settle();
    for (let i = 0; i < 5; i++) t.source.emit('a');
    t.source.emit('b');
    blocker.open();
    await settle();
    expect(t.keysOf()).toEqual(['x', 'a', 'b']);
  });

  it('keeps one reconcile in flight per key, and reconciles again a key that changed meanwhile', async () => {
    const first = gate();
    let inFlight = 0;
    let most = 0;
    const t = start(
      async ({ key }, n) => {
        if (key !== 'a') return DONE;
        most = Math.max(most, ++inFlight);
        if (n === 1) await first.promise;
        inFlight--;
        return DONE;
      },
      { workers: 3 },
    );
    t.source.emit('a');
    await settle();
    t.source.emit('a');
    t.source.emit('b');
    await settle();
    // 'b' ran beside 'a'; the second 'a' waits for the first.
    expect(t.keysOf()).toEqual(['a', 'b']);
    first.open();
    await settle();
    expect(t.keysOf('a')).toEqual(['a', 'a']);
    expect(most).toBe(1);
  });

  it('backs off per key: delays grow, stop at the cap, and start over after a success', async () => {
    let failing = true;
    const t = start(
      () => (failing ? Promise.reject(new Error('API down')) : Promise.resolve(DONE)),
      { backoff: { initialMs: 100, maxMs: 400, factor: 2 } },
    );
    t.source.emit('a');
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [delay] = t.timers.pendingDelaysMs();
      delays.push(delay!);
      t.timers.advance(delay!);
      await settle();
    }
    // Half-jitter: each delay lies in [cap/2, cap], caps 100, 200, 400, 400, 400.
    const caps = [100, 200, 400, 400, 400];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(d).toBeLessThanOrEqual(caps[i]!);
    });
    expect(t.keysOf('a')).toHaveLength(6);
    failing = false;
    t.timers.advance(t.timers.pendingDelaysMs()[0]!);
    await settle();
    expect(t.timers.pending).toBe(0);
    failing = true;
    t.source.emit('a');
    await settle();
    expect(t.timers.pendingDelaysMs()[0]).toBeLessThanOrEqual(100);
    expect(await metric(t.registry, 'infernode_controller_workqueue_retries_total')).toBe(7);
  });

  it('does not retry a TerminalError until the key is enqueued again', async () => {
    const t = start(() => Promise.reject(new TerminalError('spec names no model')));
    t.source.emit('a');
    await settle();
    expect(t.timers.pending).toBe(0);
    t.timers.advance(3_600_000);
    await settle();
    expect(t.keysOf('a')).toHaveLength(1);
    t.source.emit('a');
    await settle();
    expect(t.keysOf('a')).toHaveLength(2);
    expect(await metric(t.registry, 'infernode_controller_terminal_reconcile_errors_total')).toBe(
      2,
    );
    expect(await metric(t.registry, 'infernode_controller_reconcile_errors_total')).toBe(2);
  });

  it('honours requeueAfterMs', async () => {
    const t = start((_call, n) => Promise.resolve(n === 1 ? { requeueAfterMs: 5000 } : DONE));
    t.source.emit('a');
    await settle();
    t.timers.advance(4999);
    await settle();
    expect(t.keysOf('a')).toHaveLength(1);
    t.timers.advance(1);
    await settle();
    expect(t.keysOf('a')).toHaveLength(2);
    expect(t.timers.pending).toBe(0);
  });

  it('resyncs every key of every source periodically', async () => {
    const t = start(() => Promise.resolve(DONE), { resyncIntervalMs: 1000 });
    t.source.keys = ['a', 'b'];
    await settle();
    t.timers.advance(1000);
    await settle();
    t.timers.advance(1000);
    await settle();
    expect(t.keysOf()).toEqual(['a', 'b', 'a', 'b']);
  });

  it('aborts a reconcile past its timeout and retries it', async () => {
    const t = start(
      ({ context }, n) =>
        n === 1
          ? new Promise((_resolve, reject) =>
              context.signal.addEventListener('abort', () =>
                reject(context.signal.reason as Error),
              ),
            )
          : Promise.resolve(DONE),
      { reconcileTimeoutMs: 50, backoff: { initialMs: 10, maxMs: 10, factor: 2 } },
    );
    t.source.emit('a');
    await settle();
    t.timers.advance(50);
    await settle();
    expect(t.calls[0]!.context.signal.reason).toMatchObject({
      code: 'CONTROLLER_RECONCILE_TIMEOUT',
    });
    t.timers.advance(10);
    await settle();
    expect(t.keysOf('a')).toHaveLength(2);
  });

  it('stops cleanly: the in-flight reconcile sees the abort and run waits for it', async () => {
    let finished = false;
    const t = start(async ({ context }) => {
      await new Promise<void>((resolve) =>
        context.signal.addEventListener('abort', () => resolve()),
      );
      await settle();
      finished = true;
      return DONE;
    });
    t.source.emit('a');
    await settle();
    expect(getEventListeners(t.abort.signal, 'abort')).toHaveLength(1);
    t.abort.abort(new Error('leadership lost'));
    await t.done;
    expect(finished).toBe(true);
    expect(t.calls[0]!.context.signal.aborted).toBe(true);
    expect(getEventListeners(t.abort.signal, 'abort')).toHaveLength(0);
    expect(t.timers.pending).toBe(0);
  });

  it('adds no listener to the run signal however often it wakes (issue 10)', async () => {
    const t = start(() => Promise.resolve(DONE), { workers: 2 });
    for (let i = 0; i < 500; i++) {
      t.source.emit(`k${i % 7}`);
      await settle();
    }
    expect(t.keysOf()).toHaveLength(500);
    expect(getEventListeners(t.abort.signal, 'abort')).toHaveLength(1);
  });

  it('gives each reconcile a child logger with controller, key and reconcileId', async () => {
    const t = start(() => Promise.resolve(DONE));
    t.source.emit('a');
    t.source.emit('b');
    await settle();
    const bindings = t.calls.map((c) => c.context.log.bindings());
    expect(bindings[0]).toMatchObject({ controller: 'test', key: 'a' });
    expect(bindings[1]).toMatchObject({ controller: 'test', key: 'b' });
    expect(bindings[0]!.reconcileId).not.toBe(bindings[1]!.reconcileId);
  });

  it('bounds its queue and counts dropped keys', async () => {
    const blocker = gate();
    const t = start(() => blocker.promise.then(() => DONE), { maxQueuedKeys: 2 });
    t.source.emit('x');
    await settle();
    for (const key of ['a', 'b', 'c']) t.source.emit(key);
    expect(await metric(t.registry, 'infernode_controller_workqueue_depth')).toBe(2);
    expect(await metric(t.registry, 'infernode_controller_workqueue_dropped_total')).toBe(1);
    blocker.open();
    await settle();
    expect(t.keysOf()).toEqual(['x', 'a', 'b']);
  });

  it('records controller-runtime metrics per controller and result', async () => {
    const busy = gate();
    const t = start(({ key }) => {
      if (key === 'ok') return Promise.resolve(DONE);
      if (key === 'later') return Promise.resolve({ requeueAfterMs: 60_000 });
      if (key === 'busy') return busy.promise.then(() => DONE);
      return Promise.reject(new Error('boom'));
    });
    for (const key of ['ok', 'later', 'bad', 'busy']) t.source.emit(key);
    await settle();
    const r = t.registry;
    const total = 'infernode_controller_reconcile_total';
    expect(await metric(r, total, { controller: 'test', result: 'success' })).toBe(1);
    expect(await metric(r, total, { result: 'requeue_after' })).toBe(1);
    expect(await metric(r, total, { result: 'error' })).toBe(1);
    expect(await metric(r, 'infernode_controller_reconcile_errors_total')).toBe(1);
    expect(await metric(r, 'infernode_controller_active_workers')).toBe(1);
    busy.open();
    await settle();
    expect(await metric(r, 'infernode_controller_active_workers')).toBe(0);
    expect(await r.metrics()).toMatch(
      /^infernode_controller_reconcile_time_seconds_count\{controller="test"\} 4$/m,
    );
  });
});
