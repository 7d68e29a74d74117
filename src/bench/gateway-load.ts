/**
 * The gateway benchmark's load generator, run as its own process (`node gateway-load.js <json>`)
 * so the client never shares an event loop with the gateway. Sends the same requests straight to
 * the engines and through the gateway — sequential pairs, paced arrivals, closed-loop concurrency
 * — scrapes the leader's /metrics around each phase, and prints one JSON result on stdout.
 */
import { GatewayView } from './gateway-view.js';
import { median, ms3, summarize } from './latency-stats.js';
import {
  keepAliveAgent,
  runClosedLoop,
  runPaced,
  runSequential,
  type LoadPlan,
  type Target,
} from './load-client.js';

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

async function runVariant(plan: LoadPlan, stream: boolean, direct: Target, gateway: Target) {
  const body = bodies(plan, stream);
  const t = plan.timeoutMs;
  const log = (line: string): boolean =>
    process.stderr.write(`[load ${stream ? 'stream' : 'json'}] ${line}\n`);
  await runSequential(direct, gateway, body, 1, plan.warmup, t);
  const maxC = Math.max(...plan.concurrency);
  // The gateway runs far more JavaScript than the engine or a bare proxy: with a short warm-up its
  // first measured phase paid for V8's optimizing compiler (helper threads compiled for ~20 s
  // of sequential load, seen in /proc's per-thread CPU). Closed-loop load gets there sooner.
  await runClosedLoop(direct, body, maxC, plan.warmupMs, t);
  await runClosedLoop(gateway, body, maxC, plan.warmupMs, t);

  log(`sequential ${plan.rounds} x ${plan.requests} pairs`);
  const seqView = new GatewayView(plan);
  await seqView.begin();
  const seq = await runSequential(direct, gateway, body, plan.rounds, plan.requests, t);
  await seqView.end();
  const d = summarize(seq.direct);
  const g = summarize(seq.gateway);
  const sequential = {
    pairs: seq.paired.length,
    errors: seq.errors,
    direct: d,
    gateway: g,
    added: added(g, d),
    pairedDifference: summarize(seq.paired),
    medianOfRoundMedianDifferencesMs: ms3(median(seq.rounds.map(median))),
    gatewayOwn: seqView.summary(),
  };

  let paced: Record<string, unknown> | undefined;
  if (plan.rate > 0) {
    log(`paced ${plan.rate} req/s for ${plan.durationMs} ms`);
    const view = new GatewayView(plan);
    await view.begin();
    const p = await runPaced([direct, gateway], body, plan.rate, plan.durationMs, t);
    await view.end();
    const pd = summarize(p.samples[0]);
    const pg = summarize(p.samples[1]);
    paced = {
      offeredRps: plan.rate,
      achievedRps: Math.round(p.achievedRps),
      errors: p.errors,
      direct: pd,
      gateway: pg,
      added: added(pg, pd),
      windowed: windowedAdded(p.windows),
      gatewayOwn: view.summary(),
    };
  }

  const throughput = [];
  for (const c of plan.concurrency) {
    log(`closed loop c=${c}, ${plan.durationMs} ms per target (ABBA halves)`);
    const half = plan.durationMs / 2;
    const view = new GatewayView(plan);
    const d1 = await runClosedLoop(direct, body, c, half, t);
    await view.begin();
    const g1 = await runClosedLoop(gateway, body, c, half, t);
    const g2 = await runClosedLoop(gateway, body, c, half, t);
    await view.end();
    const d2 = await runClosedLoop(direct, body, c, half, t);
    const directRps = ((d1.completed + d2.completed) * 1000) / plan.durationMs;
    const gatewayRps = ((g1.completed + g2.completed) * 1000) / plan.durationMs;
    throughput.push({
      concurrency: c,
      directRps: Math.round(directRps),
      gatewayRps: Math.round(gatewayRps),
      ratio: Math.round((gatewayRps / directRps) * 1000) / 1000,
      errors: d1.errors + d2.errors + g1.errors + g2.errors,
      directLatency: summarize([...d1.latencies, ...d2.latencies]),
      gatewayLatency: summarize([...g1.latencies, ...g2.latencies]),
      gatewayOwn: view.summary(),
    });
  }
  return { sequential, paced, throughput };
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
  const path = '/v1/chat/completions';
  const sockets = Math.max(...plan.concurrency, 1);
  const direct: Target = {
    name: 'direct',
    host: plan.host,
    ports: plan.directPorts,
    path,
    agent: keepAliveAgent(sockets),
  };
  const gateway: Target = {
    name: 'gateway',
    host: plan.host,
    ports: [plan.gatewayPort],
    path,
    agent: keepAliveAgent(sockets),
  };
  const out: Record<string, unknown> = {};
  // The process's own background work (agent hub, discovery polls, console feed...) with no
  // request in flight: the part of its CPU per request that does not scale with requests.
  const idle = new GatewayView(plan);
  await idle.begin();
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  await idle.end();
  out.idleCpuMsPerSecond = idle.cpuMsPerSecond();
  for (const variant of plan.variants)
    out[variant] = await runVariant(plan, variant === 'streaming', direct, gateway);
  direct.agent.destroy();
  gateway.agent.destroy();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator failed: ${String(err)}\n`);
  process.exitCode = 1;
});
