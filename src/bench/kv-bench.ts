/**
 * `infernode bench kv` (issue #14), two sections, each selectable with `--sections`:
 * - `loopback`: the agent's KV block service against what the machine's loopback TCP can do, in
 *   one run (kv-bench-loopback-section.ts);
 * - `trace`: the Mooncake conversation trace on a local cluster once per routing/KV mode, random
 *   vs prefix-cache approximate vs precise vs precise with L1 + peer L2 (kv-bench-trace.ts).
 * Writes bench/results/kv.json; a section not run keeps what the previous file had.
 */
import { bool, defineCommand, int, num, str } from '../shared/index.js';
import { runLoopbackSection, checkLoopbackSettings } from './kv-bench-loopback-section.js';
import type { LoopbackResult } from './kv-bench-loopback.js';
import { mergeKvResult, parseSections, readPreviousKvResult } from './kv-bench-sections.js';
import { runKvTrace, type KvTraceSettings } from './kv-bench-trace.js';
import { selectModes } from './kv-trace-modes.js';
import { writeBenchResult } from './results.js';

const spec = {
  sections: str('loopback,trace', 'sections to run (the other keeps its previous result)'),
  blockKib: int(2048, 'block size, KiB (2048: 16 tokens of Llama-3-8B)', { min: 1, max: 8192 }),
  batch: int(32, "blocks per frame of the batched calls (AIBrix's L2 batch)", {
    min: 1,
    max: 1024,
  }),
  concurrency: int(4, 'calls in flight at once, both sides', { min: 1, max: 64 }),
  mib: int(512, 'payload MiB moved per measurement', { min: 1, max: 8192 }),
  rounds: int(3, 'interleaved rounds (best and median kept)', { min: 1, max: 20 }),
  latencySamples: int(100, 'single-block gets timed one at a time, per side per round', {
    min: 1,
    max: 100_000,
  }),
  timeoutMs: int(60_000, 'bound of one call and of a server start, ms', { min: 1000 }),
  cpuProfDir: str('', 'write a --cpu-prof profile of the block server child here'),
  trace: str('/work/shared/traces/mooncake-conversation.jsonl', 'trace section: Mooncake trace'),
  modes: str('random,approximate,precise,precise+l1l2', 'trace section: runs, in order'),
  duration: num(300, 'trace section: seconds of the trace replayed from its start', { min: 1 }),
  speed: num(3, 'trace section: arrivals and simulated engines x times faster', { min: 0.01 }),
  rateScale: num(1, 'trace section: multiplies the arrival rate', { min: 0.01 }),
  engines: int(4, 'trace section: simulated engines over two nodes', { min: 4, max: 64 }),
  numGpuBlocks: int(8192, 'trace section: GPU KV blocks of 16 tokens per engine', { min: 1 }),
  maxModelLen: int(131_072, 'trace section: engines’ --max-model-len', { min: 1 }),
  l1BudgetMib: int(512, 'trace section: each agent’s L1 budget, MiB of real bytes', { min: 1 }),
  bytesFraction: num(1 / 1024, 'trace section: real bytes moved per true KV byte', {
    min: 1e-6,
    max: 1,
  }),
  l1Policy: str('s3fifo', 'trace section: the agents’ L1 eviction policy (s3fifo or lru)', {
    oneOf: ['s3fifo', 'lru'],
  }),
  quick: bool(false, 'trace section: 20 s of the trace at 5× speed (the e2e smoke test)'),
  out: str('bench/results/kv.json', 'result file'),
};

const stat = (r: LoopbackResult['batchPut']): string =>
  `raw ${r.raw.medianMBps} MB/s (best ${r.raw.bestMBps}), block ${r.block.medianMBps} MB/s ` +
  `(best ${r.block.bestMBps}); block/raw ${r.ratioMedian} median, ${r.ratioBest} best, ` +
  `${r.cpuRatio} by CPU time`;

const say = (line: string): void => void process.stderr.write(`${line}\n`);

/** The `kv` bench scenario. */
export const kvBench = defineCommand({
  name: 'kv',
  summary:
    'KV: block service vs raw loopback TCP (loopback), and the Mooncake trace over routing/KV modes (trace)',
  usage:
    'infernode bench kv [--sections loopback,trace] [--block-kib 2048] [--batch 32] [--concurrency 4] ' +
    '[--mib 512] [--rounds 3] [--latency-samples 100] [--duration 300] [--speed 3] [--rate-scale 1] ' +
    '[--engines 4] [--num-gpu-blocks 8192] [--l1-budget-mib 512] [--bytes-fraction 0.0009765625] [--l1-policy s3fifo] ' +
    '[--modes …] [--quick] [--out bench/results/kv.json]',
  envPrefix: 'BENCH_KV',
  spec,
  async run({ config: c }) {
    const sections = parseSections(c.sections);
    const modes = selectModes(c.modes);
    if (sections.has('loopback')) checkLoopbackSettings(c);
    const trace: KvTraceSettings = {
      trace: c.trace,
      duration: c.quick ? 20 : c.duration,
      speed: c.quick ? 5 : c.speed,
      rateScale: c.rateScale,
      requestTimeout: 1800,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      engines: c.engines,
      profile: 'llama-8b-h100',
      numGpuBlocks: c.numGpuBlocks,
      maxModelLen: c.maxModelLen,
      maxNumSeqs: 256,
      l1BudgetMib: c.l1BudgetMib,
      bytesFraction: c.bytesFraction,
      l1Policy: c.l1Policy === 'lru' ? 'lru' : 's3fifo',
    };
    const made: Record<string, unknown> = {};
    const lines: string[] = [];
    if (sections.has('loopback')) {
      const section = await runLoopbackSection(c, say);
      Object.assign(made, section);
      const lb = section.loopback;
      const lat = lb.singleGetLatency;
      lines.push(
        `batched put (${c.batch} blocks/frame): ${stat(lb.batchPut)}`,
        `batched get (${c.batch} blocks/frame): ${stat(lb.batchGet)}`,
        `single-block put: ${stat(lb.singlePut)}`,
        `single-block get: ${stat(lb.singleGet)}`,
        `single ${c.blockKib} KiB get latency: block p50 ${lat.block.p50Ms} ms p99 ${lat.block.p99Ms} ms; ` +
          `raw p50 ${lat.raw.p50Ms} ms p99 ${lat.raw.p99Ms} ms`,
      );
    }
    if (sections.has('trace')) {
      const section = await runKvTrace(trace, modes, say);
      made.trace = section;
      for (const m of section.modes)
        lines.push(
          `${m.mode}: ${m.completed}/${m.requests} ok, TTFT mean ${m.ttftMs.mean} p50 ${m.ttftMs.p50} p99 ${m.ttftMs.p99} ms, ` +
            `GPU hit ${m.tiers.gpuHitRatio}, external ${m.tiers.externalHitRatio}, L1 blocks ${m.tiers.l1HitBlocks}, L2 ${m.tiers.l2FetchBlocks}, ` +
            `outside the engines ${m.outsideEngineMs} ms, gateway added mean ${m.gatewayAddedWallMs?.meanMs ?? NaN} ms wall` +
            (m.tiers.lookupWallMs.n > 0
              ? `, lookup wall p50 ${m.tiers.lookupWallMs.p50Ms} ms (agents' own p50 l1 ${m.tiers.agentGetPrefixMs.l1?.p50Ms ?? NaN}, l2 ${m.tiers.agentGetPrefixMs.l2?.p50Ms ?? NaN} ms)`
              : ''),
        );
      lines.push(`verdict: ${JSON.stringify(section.verdict)}`);
    }
    const command = commandLine(c, sections);
    const previous = await readPreviousKvResult(c.out);
    const path = await writeBenchResult(
      c.out,
      command,
      mergeKvResult(previous, made, sections, command),
    );
    process.stdout.write([...lines, `wrote ${path}`, ''].join('\n'));
    return 0;
  },
});

function commandLine(
  c: Readonly<Record<string, string | number | boolean>>,
  sections: ReadonlySet<string>,
): string {
  const parts = [`infernode bench kv --sections ${[...sections].join(',')}`];
  if (sections.has('loopback'))
    parts.push(
      `--block-kib ${String(c.blockKib)} --batch ${String(c.batch)} --concurrency ${String(c.concurrency)} ` +
        `--mib ${String(c.mib)} --rounds ${String(c.rounds)} --latency-samples ${String(c.latencySamples)}`,
    );
  if (sections.has('trace'))
    parts.push(
      c.quick === true
        ? '--quick'
        : `--trace ${String(c.trace)} --modes ${String(c.modes)} --duration ${String(c.duration)} --speed ${String(c.speed)} ` +
            `--rate-scale ${String(c.rateScale)} --engines ${String(c.engines)} --num-gpu-blocks ${String(c.numGpuBlocks)} ` +
            `--l1-budget-mib ${String(c.l1BudgetMib)} --bytes-fraction ${String(c.bytesFraction)} --l1-policy ${String(c.l1Policy)}`,
    );
  return parts.join(' ');
}
