/**
 * The three phases of `bench gateway --replicas`, run by the replicas load generator: closed-loop
 * throughput spread over 1..R gateway replicas (with each replica's CPU per request), prefix
 * stickiness across replicas (the same long prompt through two replicas: same engine?), and the
 * load over every replica through a leader kill, failures classified.
 */
import http from 'node:http';
import { sleep } from '../shared/index.js';
import { GatewayView } from './gateway-view.js';
import { summarize } from './latency-stats.js';
import type { LoadPlan } from './load-client.js';
import type {
  StickinessSet,
  ReplicaPhasePlan,
  ReplicaThroughputPoint,
  StickinessResult,
} from './gateway-replicas-report.js';
import {
  closedLoopSpread,
  postOnce,
  type BodyFor,
  type ReplicaSample,
  type Spread,
} from './replica-load-client.js';

const PATH = '/v1/chat/completions';

/** A keep-alive agent pooling up to `sockets` connections per port. */
export function pooledAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** The closed-loop request bodies: 64 distinct prompts of `promptBytes`, reused. */
export function loadBodies(plan: ReplicaPhasePlan): BodyFor {
  const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(
    Math.ceil(plan.promptBytes / 45),
  );
  const cache = Array.from({ length: 64 }, (_, k) =>
    Buffer.from(
      JSON.stringify({
        model: plan.model,
        messages: [{ role: 'user', content: `${filler.slice(0, plan.promptBytes)} #${k}` }],
        max_tokens: plan.maxTokens,
      }),
    ),
  );
  return (i) => cache[i % cache.length] as Buffer;
}

/** GatewayView reads only host, ports and underTest: the rest of a LoadPlan is inert here. */
function viewOf(plan: ReplicaPhasePlan, controlPort: number): GatewayView {
  const p: LoadPlan = {
    ...{ host: plan.host, gatewayPort: 0, directPorts: [], controlPort, model: plan.model },
    ...{ rounds: 0, requests: 0, warmup: 0, warmupMs: 0, rate: 0, durationMs: 0, concurrency: [] },
    ...{ maxTokens: 0, promptBytes: 0, variants: [], timeoutMs: plan.timeoutMs },
  };
  return new GatewayView(p);
}

/**
 * Closed loop at `plan.concurrency` over the first R replicas for every R in `plan.counts`, in
 * ABBA halves (forward then reverse order) so drift on a shared machine hits each count alike;
 * also the engines directly at the same concurrency, to show whether they were the limit.
 */
export async function runReplicaThroughput(plan: ReplicaPhasePlan): Promise<{
  directRps: number;
  points: ReplicaThroughputPoint[];
}> {
  const body = loadBodies(plan);
  const agent = pooledAgent(plan.concurrency);
  const half = plan.durationMs / 2;
  const spreadFor = (r: number): Spread => ({
    host: plan.host,
    ports: plan.replicas.slice(0, r).map((x) => x.gatewayPort),
    path: PATH,
    agent,
    retryRefused: false,
  });
  const maxR = Math.max(...plan.counts);
  await closedLoopSpread(spreadFor(maxR), body, plan.concurrency, 1000, plan.timeoutMs); // warm-up
  const direct = await closedLoopSpread(
    { host: plan.host, ports: plan.directPorts, path: PATH, agent, retryRefused: false },
    body,
    plan.concurrency,
    plan.durationMs,
    plan.timeoutMs,
  );
  const counted = (s: ReplicaSample[], end: number): ReplicaSample[] =>
    s.filter((x) => x.endedAtMs < end);
  const acc = new Map<
    number,
    { ok: number; errors: number; lat: number[]; views: GatewayView[] }
  >();
  for (const r of [...plan.counts, ...[...plan.counts].reverse()]) {
    const a = acc.get(r) ?? {
      ok: 0,
      errors: 0,
      lat: [],
      views: plan.replicas.slice(0, r).map((x) => viewOf(plan, x.controlPort)),
    };
    acc.set(r, a);
    await Promise.all(a.views.map((v) => v.begin()));
    const run = await closedLoopSpread(spreadFor(r), body, plan.concurrency, half, plan.timeoutMs);
    await Promise.all(a.views.map((v) => v.end()));
    for (const s of counted(run.samples, run.endedAtMs)) {
      if (s.ok) {
        a.ok++;
        a.lat.push(s.totalMs);
      } else a.errors++;
    }
  }
  agent.destroy();
  const points = plan.counts.map((r): ReplicaThroughputPoint => {
    const a = acc.get(r);
    if (a === undefined) throw new Error(`no throughput run for ${r} replicas`);
    return {
      replicas: r,
      rps: Math.round((a.ok * 1000) / plan.durationMs),
      errors: a.errors,
      latency: summarize(a.lat),
      perReplica: a.views.map((v, i) => ({
        name: plan.replicas[i]?.name ?? `replica-${i}`,
        ...v.summary(),
      })),
    };
  });
  const directOk = counted(direct.samples, direct.endedAtMs).filter((s) => s.ok).length;
  return { directRps: Math.round((directOk * 1000) / plan.durationMs), points };
}

/** A long prompt whose first block already differs from every other prompt's. */
function stickyBody(plan: ReplicaPhasePlan, set: string, i: number): Buffer {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  let text = `${set} document ${i}: `;
  for (let k = 0; text.length < plan.stickinessPromptBytes; k++)
    text += `${words[(i * 7 + k * 3) % words.length] ?? ''}${(i * 31 + k) % 97} `;
  return Buffer.from(
    JSON.stringify({
      model: plan.model,
      messages: [{ role: 'user', content: text }],
      max_tokens: 1,
    }),
  );
}

/**
 * Each of `plan.stickinessPrompts` new prompts first through replica a, then through replica b
 * (a ≠ b, alternating which goes first), one request at a time; the engine each landed on is the
 * gateway's `target-pod` header. The baseline sends other new prompts twice through one replica.
 */
export async function runStickiness(plan: ReplicaPhasePlan): Promise<StickinessResult> {
  const agent = pooledAgent(2);
  const r = plan.replicas.length;
  const pairs = async (set: 'cross' | 'gap' | 'same', gapMs: number) => {
    let same = 0;
    let errors = 0;
    let missingEngine = 0;
    const engines = new Set<string>();
    const mismatches: StickinessSet['mismatches'][number][] = [];
    for (let i = 0; i < plan.stickinessPrompts; i++) {
      const a = i % r;
      const b = set === 'same' ? a : (i + 1) % r;
      const body = stickyBody(plan, set, i);
      const first = plan.replicas[a];
      const second = plan.replicas[b];
      if (first === undefined || second === undefined) continue;
      const x = await postOnce(plan.host, first.gatewayPort, PATH, agent, body, plan.timeoutMs, a);
      if (gapMs > 0) await sleep(gapMs);
      const y = await postOnce(plan.host, second.gatewayPort, PATH, agent, body, plan.timeoutMs, b);
      if (!x.ok || !y.ok) {
        errors++;
        continue;
      }
      if (x.engine === undefined || y.engine === undefined) {
        missingEngine++;
        continue;
      }
      engines.add(x.engine);
      if (x.engine === y.engine) same++;
      else if (mismatches.length < 10)
        mismatches.push({ prompt: i, replicas: [a, b], engines: [x.engine, y.engine] });
    }
    const judged = plan.stickinessPrompts - errors - missingEngine;
    return {
      prompts: plan.stickinessPrompts,
      sameEngine: same,
      share: judged > 0 ? Math.round((same / judged) * 10_000) / 10_000 : NaN,
      errors,
      missingEngine,
      enginesUsed: engines.size,
      mismatches,
    };
  };
  const cross = await pairs('cross', 0);
  const afterGap = plan.stickinessGapMs > 0 ? await pairs('gap', plan.stickinessGapMs) : undefined;
  const baseline = await pairs('same', 0);
  agent.destroy();
  return {
    promptBytes: plan.stickinessPromptBytes,
    gapMs: plan.stickinessGapMs,
    crossReplica: cross,
    ...(afterGap === undefined ? {} : { crossReplicaAfterGap: afterGap }),
    sameReplica: baseline,
  };
}
