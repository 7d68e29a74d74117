/**
 * The gateway-replicas load generator, forked with an IPC channel (`node gateway-replicas-load.js
 * <plan-json>`) so the client never shares an event loop with a gateway. Runs throughput over
 * 1..R replicas, prefix stickiness across replicas, then load over every replica while the parent
 * kills the leader: it asks with `{type:'kill'}` and is told `{type:'killed', atMs}`. Sends
 * `{type:'result', result}` at the end.
 */
import { classifyKill, type ReplicaPhasePlan } from './gateway-replicas-report.js';
import {
  loadBodies,
  pooledAgent,
  runReplicaThroughput,
  runStickiness,
} from './gateway-replicas-phases.js';
import { closedLoopSpread } from './replica-load-client.js';

/** Messages between the parent and this process. */
export type ReplicaLoadMessage =
  | { readonly type: 'kill' }
  | { readonly type: 'killed'; readonly atMs: number }
  | { readonly type: 'result'; readonly result: unknown };

const log = (line: string): boolean => process.stderr.write(`[replicas load] ${line}\n`);

function send(message: ReplicaLoadMessage): void {
  process.send?.(message);
}

/** Asks the parent to kill the leader; resolves with the kill's wall-clock time. */
function askKill(): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: ReplicaLoadMessage): void => {
      if (m.type !== 'killed') return;
      process.off('message', onMessage);
      resolve(m.atMs);
    };
    process.on('message', onMessage);
    send({ type: 'kill' });
  });
}

async function runKill(plan: ReplicaPhasePlan) {
  const agent = pooledAgent(plan.concurrency);
  const spread = {
    host: plan.host,
    ports: plan.replicas.map((r) => r.gatewayPort),
    path: '/v1/chat/completions',
    agent,
    retryRefused: true,
  };
  let killed: Promise<number> | undefined;
  const run = await closedLoopSpread(
    spread,
    loadBodies(plan),
    plan.concurrency,
    plan.kill.durationMs,
    plan.timeoutMs,
    (elapsedMs) => {
      if (killed === undefined && elapsedMs >= plan.kill.killAtMs) killed = askKill();
    },
  );
  agent.destroy();
  const killedAtMs = await (killed ?? askKill());
  return classifyKill(run.samples, { ...run, killedAtMs }, plan.replicas.length);
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as ReplicaPhasePlan;
  log(`throughput over ${plan.counts.join(', ')} replica(s), c=${plan.concurrency}`);
  const throughput = await runReplicaThroughput(plan);
  log(`stickiness: ${plan.stickinessPrompts} prompts × 2 sets`);
  const stickiness = await runStickiness(plan);
  log(`leader kill under load: ${plan.kill.durationMs} ms, kill at ${plan.kill.killAtMs} ms`);
  const kill = await runKill(plan);
  send({ type: 'result', result: { throughput, stickiness, kill } });
  if (process.connected) process.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`replicas load generator failed: ${String(err)}\n`);
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
