/**
 * `bench leader`'s pick client and stub engines, in a process of their own
 * (leader-bench-pick-process.ts forks it; it prints nothing and talks over IPC). In the bench's
 * own process they shared an event loop with the probe agent and the leader's scrapes, and that
 * loop's stalls (max 75-120 ms at 1000 x 8) showed up as pick latency the leader never caused.
 * Measures its own event-loop delay over each run, so a report can say what is left of that.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runPickLoad } from './leader-bench-picks.js';
import type { PickChildReply, PickChildRequest, PickChildPlan } from './leader-bench-plan.js';
import { startStubEngines } from './leader-bench-stubs.js';

const plan = JSON.parse(process.argv[2] ?? '{}') as PickChildPlan;
const send = (reply: PickChildReply): void => {
  process.send?.(reply);
};
// Past the sampling period, as the leader's own gauge reports it.
const pastPeriodMs = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - 10) * 100) / 100;

async function main(): Promise<void> {
  const stubs = await startStubEngines(plan.stubEngines, plan.host);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (m: PickChildRequest) => {
    loop.reset();
    void runPickLoad(m).then((picks) =>
      send({
        type: 'picks',
        picks,
        loopDelayP99Ms: pastPeriodMs(loop.percentile(99)),
        loopDelayMaxMs: pastPeriodMs(loop.max),
      }),
    );
  });
  process.on('disconnect', () => {
    loop.disable();
    void stubs.close().then(() => process.exit(0));
  });
  send({ type: 'ready', ports: stubs.ports });
}

void main();
