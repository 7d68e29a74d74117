/**
 * `bench leader`'s pick client and stub engines, in a process of their own
 * (leader-bench-pick-process.ts forks it; it prints nothing and talks over IPC). In the bench's
 * own process they shared an event loop with the probe agent and the leader's scrapes, and that
 * loop's stalls (max 75-120 ms at 1000 x 8) showed up as pick latency the leader never caused.
 * Measures its own event-loop delay over each run, so a report can say what is left of that.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runPickLoad } from './leader-bench-picks.js';
import {
  LOOP_SAMPLE_MS,
  loopDelayMs,
  type PickChildReply,
  type PickChildRequest,
  type PickChildPlan,
} from './leader-bench-plan.js';
import { startStubEngines } from './leader-bench-stubs.js';

const plan = JSON.parse(process.argv[2] ?? '{}') as PickChildPlan;
const send = (reply: PickChildReply): void => {
  process.send?.(reply);
};
async function main(): Promise<void> {
  const stubs = await startStubEngines(plan.stubEngines, plan.host);
  const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loop.enable();
  process.on('message', (m: PickChildRequest) => {
    loop.reset();
    void runPickLoad(m).then((picks) => {
      const { p99Ms, maxMs } = loopDelayMs(loop);
      send({ type: 'picks', picks, loopDelayP99Ms: p99Ms, loopDelayMaxMs: maxMs });
    });
  });
  process.on('disconnect', () => {
    loop.disable();
    void stubs.close().then(() => process.exit(0));
  });
  send({ type: 'ready', ports: stubs.ports });
}

void main();
