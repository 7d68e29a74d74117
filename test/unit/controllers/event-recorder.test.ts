import { describe, expect, it } from 'vitest';
import {
  CorrelatingEventRecorder,
  InMemoryEventSink,
  type ControllerEvent,
} from '../../../src/controllers/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const event = (name: string, reason = 'GpuFailed', message = 'GPU 1 failed'): ControllerEvent => ({
  involvedObject: { kind: 'Node', name },
  type: 'Warning',
  reason,
  message,
});

function recorder(options: { dedupeWindowMs?: number; maxKeys?: number } = {}) {
  const clock = new ManualClock();
  const memory = new InMemoryEventSink();
  const events = new CorrelatingEventRecorder({
    sink: memory.sink,
    clock,
    log: silentLogger(),
    ...options,
  });
  return { clock, memory, events };
}

describe('CorrelatingEventRecorder', () => {
  it('sends an identical Event once per window, and distinct Events each', async () => {
    const { clock, memory, events } = recorder({ dedupeWindowMs: 1000 });
    await events.record(event('a'), {});
    await events.record(event('a'), {});
    await events.record(event('b'), {});
    await events.record(event('a', 'GpuRecovered', 'all healthy'), {});
    expect(memory.events.map((e) => `${e.involvedObject.name}/${e.reason}`)).toEqual([
      'a/GpuFailed',
      'b/GpuFailed',
      'a/GpuRecovered',
    ]);
    clock.advance(1000);
    await events.record(event('a'), {});
    expect(memory.events).toHaveLength(4);
  });

  it('remembers at most maxKeys Events, forgetting the oldest', async () => {
    const { memory, events } = recorder({ maxKeys: 2 });
    for (const name of ['a', 'b', 'c']) await events.record(event(name), {});
    expect(events.remembered).toBe(2);
    await events.record(event('a'), {});
    expect(memory.events).toHaveLength(4);
  });

  it('never rejects when the sink fails', async () => {
    const events = new CorrelatingEventRecorder({
      sink: () => Promise.reject(new Error('API down')),
      clock: new ManualClock(),
      log: silentLogger(),
    });
    await expect(events.record(event('a'), {})).resolves.toBeUndefined();
  });
});

describe('InMemoryEventSink', () => {
  it('keeps only the newest maxEvents', async () => {
    const memory = new InMemoryEventSink({ maxEvents: 2 });
    for (const name of ['a', 'b', 'c']) await memory.sink(event(name), {});
    expect(memory.events.map((e) => e.involvedObject.name)).toEqual(['b', 'c']);
  });
});
