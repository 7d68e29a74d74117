/**
 * Feeds `infernode up`'s live table: reads the leader's `/v1/cluster` every interval and redraws
 * the engines until the signal aborts. A read that fails (the leader restarting) shows as the
 * table's last line and is retried.
 */
import { linkedSignal, sleep } from '../shared/index.js';
import { renderEngineTable, type LiveEngine, type LiveTable } from './live-table.js';

/** Redraws `table` from `controlUrl` every `intervalMs` until `signal` aborts. */
export async function refreshLiveEngines(
  controlUrl: string,
  table: LiveTable,
  signal: AbortSignal,
  intervalMs = 2000,
): Promise<void> {
  let last: readonly LiveEngine[] | undefined;
  // A function, not the property: the loop condition would narrow `aborted` to false for good.
  const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
    const call = linkedSignal([signal], intervalMs);
    let problem: string | undefined;
    try {
      const res = await fetch(`${controlUrl}/v1/cluster`, { signal: call.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      last = ((await res.json()) as { engines?: LiveEngine[] }).engines ?? [];
    } catch (err) {
      if (stopped()) break;
      problem = `leader not answering (${err instanceof Error ? err.message : String(err)}); retrying`;
    } finally {
      call.dispose();
    }
    table.update(renderEngineTable(last, new Date(), problem));
    await sleep(intervalMs, signal);
  }
}
