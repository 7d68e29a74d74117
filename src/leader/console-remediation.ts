/**
 * GPU remediation's actions as console events: a node tainted or untainted (the Kubernetes Event
 * the remediation records) and an engine's requests given a drain deadline. Wrappers around the
 * remediation's own ports, so the remediation needs no console and records exactly what it did.
 */
import type { ConsoleEventLog } from '../console/index.js';
import type { EventSink } from '../controllers/index.js';

/** The Event sink, also writing GpuFailed / GpuRecovered on a node to the console's events. */
export function consoleTaintEvents(events: ConsoleEventLog, sink: EventSink): EventSink {
  return (event, options) => {
    const node = event.involvedObject.name;
    if (event.reason === 'GpuFailed')
      events.record({
        kind: 'node-taint',
        severity: 'warning',
        subject: node,
        message: `tainted: ${event.message}`,
      });
    else if (event.reason === 'GpuRecovered')
      events.record({
        kind: 'node-taint',
        severity: 'info',
        subject: node,
        message: `taint removed: ${event.message}`,
      });
    return sink(event, options);
  };
}

/** The drain port, also writing a drain that cut requests to the console's events. */
export function consoleDrainEvents(
  events: ConsoleEventLog,
  drain: (id: string, timeoutMs: number) => number,
): (id: string, timeoutMs: number) => number {
  return (id, timeoutMs) => {
    const draining = drain(id, timeoutMs);
    if (draining > 0)
      events.record({
        kind: 'node-drain',
        severity: 'warning',
        subject: id,
        message: `${draining} request(s) on a failed GPU get ${Math.round(timeoutMs / 1000)} s to finish`,
      });
    return draining;
  };
}
