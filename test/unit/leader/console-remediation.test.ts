/**
 * GPU remediation shows in the console's events: a node tainted and untainted (from the Events the
 * remediation records, which still reach their sink) and a drain that cut requests.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleEventLog } from '../../../src/console/index.js';
import type { ControllerEvent } from '../../../src/controllers/index.js';
import { consoleDrainEvents, consoleTaintEvents } from '../../../src/leader/console-remediation.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const nodeEvent = (reason: string, type: 'Normal' | 'Warning'): ControllerEvent => ({
  involvedObject: { kind: 'Node', name: 'node-a' },
  reason,
  type,
  message: 'GPU 1 (Xid 79)',
});

describe('console remediation events', () => {
  it('records taints and untaints and still hands every Event to its sink', async () => {
    const events = new ConsoleEventLog(new ManualClock());
    const sunk: string[] = [];
    const sink = consoleTaintEvents(events, (event) => {
      sunk.push(event.reason);
      return Promise.resolve();
    });
    await sink(nodeEvent('GpuFailed', 'Warning'), {});
    await sink(nodeEvent('SomethingElse', 'Normal'), {});
    await sink(nodeEvent('GpuRecovered', 'Normal'), {});
    expect(sunk).toEqual(['GpuFailed', 'SomethingElse', 'GpuRecovered']);
    expect(events.recent().map((e) => [e.kind, e.severity, e.subject, e.message])).toEqual([
      ['node-taint', 'info', 'node-a', 'taint removed: GPU 1 (Xid 79)'],
      ['node-taint', 'warning', 'node-a', 'tainted: GPU 1 (Xid 79)'],
    ]);
  });

  it('records a drain only when it cut requests, and answers what the drain answered', () => {
    const events = new ConsoleEventLog(new ManualClock());
    const inFlight: Record<string, number> = { 'node-a/engine-1': 3, 'node-a/engine-0': 0 };
    const drain = consoleDrainEvents(events, (id) => inFlight[id] ?? 0);
    expect(drain('node-a/engine-0', 30_000)).toBe(0);
    expect(drain('node-a/engine-1', 30_000)).toBe(3);
    expect(events.recent()).toMatchObject([
      {
        kind: 'node-drain',
        severity: 'warning',
        subject: 'node-a/engine-1',
        message: '3 request(s) on a failed GPU get 30 s to finish',
      },
    ]);
  });
});
