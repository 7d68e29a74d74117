/**
 * `infernode bench gpu`: the agent CPU one GPU probe cycle costs beyond the tool's own run. The
 * tool run is excluded by feeding captured-format output (8 GPUs, values from the H100 590.48.01
 * capture, `noheader,nounits` form) to the in-process part: parse, kernel-log Xid extraction,
 * health policy and metric updates, timed with `process.cpuUsage()` over many cycles.
 */
import { defineCommand } from '../shared/index.js';
import {
  DEFAULT_GPU_CONFIG,
  GpuMetrics,
  NVIDIA_QUERY_FIELDS,
  evaluateHealth,
  extractXidEvents,
  initialHealthState,
  parseNvidiaSmiQuery,
  type HealthState,
} from '../gpu/index.js';
import { Registry, int, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';

/** The H100 idle capture's values (nvidia-smi-query-gpu-h100-csv-idle-590.48.01.txt), units stripped. */
const H100_IDLE: Readonly<Record<string, string>> = {
  name: 'NVIDIA H100 80GB HBM3',
  'memory.total': '81559',
  'memory.used': '0',
  'utilization.gpu': '0',
  'utilization.memory': '0',
  'temperature.gpu': '41',
  'temperature.gpu.tlimit': '46',
  'power.draw': '69.85',
  'power.limit': '700.00',
  'clocks_throttle_reasons.active': '0x0000000000000001',
  'ecc.errors.corrected.volatile.total': '0',
  'ecc.errors.uncorrected.volatile.total': '0',
  'retired_pages.sbe': '[N/A]',
  'retired_pages.dbe': '[N/A]',
  'retired_pages.pending': '[N/A]',
  'remapped_rows.correctable': '0',
  'remapped_rows.uncorrectable': '0',
  'remapped_rows.pending': 'No',
  'remapped_rows.failure': 'No',
  'pcie.link.gen.current': '5',
  'pcie.link.gen.max': '5',
  'pcie.link.width.current': '16',
  'pcie.link.width.max': '16',
  'mig.mode.current': 'Disabled',
  gpu_recovery_action: 'None',
};
const BUS = ['19', '3B', '4C', '5D', '9B', 'BB', 'CB', 'DB'];

/** nvidia-smi output for `gpus` GPUs; `cycle` varies temperature and memory so no two are equal. */
function nvidiaOutput(gpus: number, cycle: number): string {
  const rows: string[] = [];
  for (let i = 0; i < gpus; i++) {
    const values: Record<string, string> = {
      ...H100_IDLE,
      index: String(i),
      uuid: `GPU-${String(i).padStart(8, '0')}-0000-0000-0000-000000000000`,
      'pci.bus_id': `00000000:${BUS[i % BUS.length] ?? '00'}:00.0`,
      'temperature.gpu': String(40 + ((cycle + i) % 20)),
      'memory.used': String((cycle * 37 + i) % 81559),
    };
    rows.push(NVIDIA_QUERY_FIELDS.map((f) => values[f] ?? '[N/A]').join(', '));
  }
  return `${rows.join('\n')}\n`;
}

/** A kernel-log batch: noise plus one record-only Xid 13, as between two probe cycles. */
const KMSG_BATCH = [
  '6,2001,900000001,-;nvidia-peermem nv_get_p2p_free_callback:127 ERROR detected invalid context',
  "4,2002,900000002,-;NVRM: Xid (PCI:0000:19:00): 13, pid='<unknown>', name=<unknown>, Graphics SM Warp Exception",
  '6,2003,900000003,-;perf: interrupt took too long (2500 > 2495), lowering kernel.perf_event_max_sample_rate',
];

const spec = {
  cycles: int(5000, 'probe cycles to measure', { min: 10 }),
  gpus: int(8, 'GPUs per cycle', { min: 1, max: 64 }),
  out: str('bench/results/gpu.json', 'result file'),
};

/** The `gpu` bench scenario. */
export const gpuBench = defineCommand({
  name: 'gpu',
  summary: 'agent CPU per GPU probe cycle (parse + policy + metrics), tool run excluded',
  usage: 'infernode bench gpu [--cycles 5000] [--gpus 8] [--out bench/results/gpu.json]',
  envPrefix: 'BENCH_GPU',
  spec,
  async run({ config }) {
    const cycles = config.cycles;
    const gpus = config.gpus;
    const metrics = new GpuMetrics(new Registry(), 'bench-node');
    const inputs = Array.from({ length: 64 }, (_, c) => nvidiaOutput(gpus, c));
    let state: HealthState = initialHealthState('nvidia-smi');
    const runCycle = (c: number): void => {
      const parsed = parseNvidiaSmiQuery(inputs[c % inputs.length] ?? '');
      const xids = extractXidEvents(KMSG_BATCH);
      const sample = { tool: 'nvidia-smi' as const, gpus: parsed.gpus, lost: parsed.lost };
      state = evaluateHealth(
        state,
        { probe: { kind: 'sample', sample }, xids, nowMs: c * 5000 },
        DEFAULT_GPU_CONFIG,
      ).state;
      metrics.countXids(xids, state);
      metrics.update(state);
    };
    for (let c = 0; c < Math.min(500, cycles); c++) runCycle(c); // warm-up (JIT)
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    for (let c = 0; c < cycles; c++) runCycle(c);
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    const cpuMsPerCycle = (cpu.user + cpu.system) / 1000 / cycles;
    const budgetMs = 100;
    const result = {
      gpus,
      cycles,
      cpuMsPerCycle: Number(cpuMsPerCycle.toFixed(4)),
      wallMsPerCycle: Number((wallMs / cycles).toFixed(4)),
      budgetMsPerCycle: budgetMs,
      budgetUsedRatio: Number((cpuMsPerCycle / budgetMs).toFixed(6)),
      agentCpuShareAt5sInterval: Number((cpuMsPerCycle / 5000).toFixed(8)),
      healthy: [...state.gpus.values()].every((t) => t.health.health === 'healthy'),
      note: 'tool run excluded: captured-format 8-GPU nvidia-smi output is parsed in process',
    };
    const path = await writeBenchResult(
      config.out,
      `infernode bench gpu --cycles ${cycles} --gpus ${gpus}`,
      result,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${path}\n`);
    return cpuMsPerCycle < budgetMs ? 0 : 1;
  },
});
