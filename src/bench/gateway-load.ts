/**
 * The gateway benchmark's load generator, run as its own process (`node gateway-load.js <json>`)
 * so the client never shares an event loop with the gateway. Sends the same requests straight to
 * the engines and through the gateway — sequential pairs, paced arrivals, closed-loop concurrency
 * — scrapes the leader's /metrics around each phase, and prints one JSON result on stdout. With
 * `referencePort` the bare reference proxy is measured too, phase by phase in turn with the
 * gateway (gateway-load-turns.ts), so the two are compared under the same machine.
 */
import { GatewayView } from './gateway-view.js';
import { median, ms3, summarize } from './latency-stats.js';
import {
  keepAliveAgent,
  runClosedLoop,
  runSequential,
  type LoadPlan,
  type Target,
} from './load-client.js';
import { pacedInTurns, sequentialInTurns, turnOrder, type Subject } from './gateway-load-turns.js';

const IDLE_WINDOW_MS = 3000;

function bodies(plan: LoadPlan, stream: boolean): (i: number) => Buffer {
  const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(
    Math.ceil(plan.promptBytes / 45),
  );
  const cache = Array.from({ length: 64 }, (_, k) =>
    Buffer.from(
      JSON.stringify({
        model: plan.model,
        messages: [{ role: 'user', content: `${filler.slice(0, plan.promptBytes)} #${k}` }],
        max_tokens: plan.maxTokens,
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    ),
  );
  return (i) => cache[i % cache.length] as Buffer;
}

const added = (g: { p50Ms: number; p99Ms: number }, d: { p50Ms: number; p99Ms: number }) => ({
  p50Ms: ms3(g.p50Ms - d.p50Ms),
  p99Ms: ms3(g.p99Ms - d.p99Ms),
});

/**
 * Added p50/p99 per one-second window, then the median over windows: one stall (another
 * process, a GC) moves one window, not the whole phase's p99.
 */
function windowedAdded(windows: [number[][], number[][]]) {
  const p50: number[] = [];
  const p99: number[] = [];
  windows[0].forEach((d, w) => {
    const g = windows[1][w];
    if (g === undefined || d.length < 20 || g.length < 20) return;
    const sd = summarize(d);
    const sg = summarize(g);
    p50.push(sg.p50Ms - sd.p50Ms);
    p99.push(sg.p99Ms - sd.p99Ms);
  });
  return { windows: p50.length, p50Ms: ms3(median(p50)), p99Ms: ms3(median(p99)) };
}

/** One variant's phases for every subject, phase by phase in turns; one result per subject. */
async function runVariant(plan: LoadPlan, stream: boolean, direct: Target, subjects: Subject[]) {
  const body = bodies(plan, stream);
  const t = plan.timeoutMs;
  const log = (line: string): boolean =>
    process.stderr.write(`[load ${stream ? 'stream' : 'json'}] ${line}\n`);
  const maxC = Math.max(...plan.concurrency);
  // The gateway runs far more JavaScript than the engine or a bare proxy: with a short warm-up its
  // first measured phase paid for V8's optimizing compiler (helper threads compiled for ~20 s
  // of sequential load, seen in /proc's per-thread CPU). Closed-loop load gets there sooner.
  await runClosedLoop(direct, body, maxC, plan.warmupMs, t);
  for (const s of subjects) {
    await runSequential(direct, s.target, body, 1, plan.warmup, t);
    await runClosedLoop(s.target, body, maxC, plan.warmupMs, t);
  }

  log(`sequential ${plan.rounds} x ${plan.requests} pairs per subject`);
  const sequential = (
    await sequentialInTurns(subjects, direct, body, plan.rounds, plan.requests, t)
  ).map(({ seq, view }) => {
    const d = summarize(seq.direct);
    const g = summarize(seq.gateway);
    return {
      pairs: seq.paired.length,
      errors: seq.errors,
      direct: d,
      gateway: g,
      added: added(g, d),
      pairedDifference: summarize(seq.paired),
      medianOfRoundMedianDifferencesMs: ms3(median(seq.rounds.map(median))),
      gatewayOwn: view.summary(),
    };
  });

  let paced: Record<string, unknown>[] | undefined;
  if (plan.rate > 0) {
    log(`paced ${plan.rate} req/s for ${plan.durationMs} ms per subject`);
    paced = (await pacedInTurns(subjects, direct, body, plan, t)).map(({ p, view }) => {
      const pd = summarize(p.samples[0]);
      const pg = summarize(p.samples[1]);
      return {
        offeredRps: plan.rate,
        achievedRps: Math.round(p.achievedRps),
        errors: p.errors,
        direct: pd,
        gateway: pg,
        added: added(pg, pd),
        windowed: windowedAdded(p.windows),
        gatewayOwn: view.summary(),
      };
    });
  }

  const throughput: Record<string, unknown>[][] = subjects.map(() => []);
  for (const c of plan.concurrency) {
    log(`closed loop c=${c}, ${plan.durationMs} ms per target (direct, then subjects ABBA)`);
    const half = plan.durationMs / 2;
    const views = subjects.map((s) => new GatewayView(s.plan));
    const runs: Awaited<ReturnType<typeof runClosedLoop>>[][] = subjects.map(() => []);
    const d1 = await runClosedLoop(direct, body, c, half, t);
    for (let h = 0; h < 2; h++)
      for (const k of turnOrder(subjects.length, h)) {
        await views[k]?.begin();
        runs[k]?.push(await runClosedLoop((subjects[k] as Subject).target, body, c, half, t));
        await views[k]?.end();
      }
    const d2 = await runClosedLoop(direct, body, c, half, t);
    const directRps = ((d1.completed + d2.completed) * 1000) / plan.durationMs;
    runs.forEach((halves, k) => {
      const rps = (halves.reduce((n, r) => n + r.completed, 0) * 1000) / plan.durationMs;
      throughput[k]?.push({
        concurrency: c,
        directRps: Math.round(directRps),
        gatewayRps: Math.round(rps),
        ratio: Math.round((rps / directRps) * 1000) / 1000,
        errors: d1.errors + d2.errors + halves.reduce((n, r) => n + r.errors, 0),
        directLatency: summarize([...d1.latencies, ...d2.latencies]),
        gatewayLatency: summarize(halves.flatMap((r) => r.latencies)),
        gatewayOwn: views[k]?.summary(),
      });
    });
  }
  return subjects.map((_, k) => ({
    sequential: sequential[k],
    paced: paced?.[k],
    throughput: throughput[k],
  }));
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
  const path = '/v1/chat/completions';
  const sockets = Math.max(...plan.concurrency, 1);
  const target = (name: Target['name'], ports: readonly number[]): Target => ({
    name,
    host: plan.host,
    ports,
    path,
    agent: keepAliveAgent(sockets),
  });
  const direct = target('direct', plan.directPorts);
  const subjects: Subject[] = [{ target: target('gateway', [plan.gatewayPort]), plan }];
  if (plan.referencePort !== undefined)
    subjects.push({
      target: target('gateway', [plan.referencePort]),
      plan: { ...plan, gatewayPort: plan.referencePort, underTest: 'reference-proxy' },
    });
  const out: Record<string, unknown>[] = subjects.map(() => ({}));
  // Each process's own background work (agent hub, discovery polls, console feed...) with no
  // request in flight: the part of its CPU per request that does not scale with requests.
  const idle = subjects.map((s) => new GatewayView(s.plan));
  for (const view of idle) await view.begin();
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  for (const view of idle) await view.end();
  idle.forEach(
    (view, k) => ((out[k] as Record<string, unknown>).idleCpuMsPerSecond = view.cpuMsPerSecond()),
  );
  for (const variant of plan.variants) {
    const results = await runVariant(plan, variant === 'streaming', direct, subjects);
    results.forEach((r, k) => ((out[k] as Record<string, unknown>)[variant] = r));
  }
  for (const t of [direct, ...subjects.map((s) => s.target)]) t.agent.destroy();
  process.stdout.write(`${JSON.stringify({ gateway: out[0], reference: out[1] })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator failed: ${String(err)}\n`);
  process.exitCode = 1;
});
