/**
 * The GPU metrics on the agent's registry (STYLE.md §17), prefix `infernode_gpu_`. Per-GPU series
 * carry `node`, `gpu` (tool index) and `uuid`: bounded by the GPUs in the node. Xid counters add
 * `xid` (a code 0–255, or `other`), also bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from '../shared/index.js';
import type { HealthState } from './health-state.js';
import {
  GPU_HEALTH_STATES,
  type GpuFacts,
  type GpuVendorTool,
  type XidEvent,
} from './gpu-facts.js';

const GPU_LABELS = ['node', 'gpu', 'uuid'] as const;
/** Probe duration buckets, seconds: 10 ms … 30 s (nvidia-smi takes 50 ms – 2 s; timeouts ~10 s). */
const PROBE_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type FactGauge = readonly [Gauge, (f: GpuFacts) => number | null];

/** Builds and updates every `infernode_gpu_*` metric. */
export class GpuMetrics {
  readonly #node: string;
  readonly #facts: readonly FactGauge[];
  readonly #health: Gauge;
  readonly #xids: Counter;
  readonly #probeDuration: Histogram;
  readonly #probeErrors: Counter;
  readonly #probeUp: Gauge;

  /** Registers the metrics on `registry` for node `node`. */
  constructor(registry: Registry, node: string) {
    this.#node = node;
    const registers = [registry];
    const gauge = (name: string, help: string): Gauge =>
      new Gauge({ name: `infernode_gpu_${name}`, help, labelNames: GPU_LABELS, registers });
    this.#facts = [
      [gauge('utilization_percent', 'GPU compute utilization, %'), (f) => f.utilizationGpuPct],
      [gauge('memory_used_bytes', 'GPU memory in use, bytes'), (f) => f.memoryUsedBytes],
      [gauge('memory_total_bytes', 'GPU memory, bytes'), (f) => f.memoryTotalBytes],
      [gauge('temperature_celsius', 'GPU temperature, °C'), (f) => f.temperatureC],
      [gauge('power_watts', 'GPU power draw, W'), (f) => f.powerDrawWatts],
      [
        gauge('ecc_corrected_errors', 'Corrected ECC errors since the last driver load/reset'),
        (f) => f.eccCorrectedVolatile,
      ],
      [
        gauge('ecc_uncorrected_errors', 'Uncorrected ECC errors since the last driver load/reset'),
        (f) => f.eccUncorrectedVolatile,
      ],
    ];
    this.#health = new Gauge({
      name: 'infernode_gpu_health_state',
      help: 'GPU health: 1 for the current state, 0 for the others',
      labelNames: [...GPU_LABELS, 'state'],
      registers,
    });
    this.#xids = new Counter({
      name: 'infernode_gpu_xid_events_total',
      help: 'NVIDIA Xid events read from the kernel log, by code',
      labelNames: [...GPU_LABELS, 'xid'],
      registers,
    });
    this.#probeDuration = new Histogram({
      name: 'infernode_gpu_probe_duration_seconds',
      help: 'Time of one GPU probe cycle (tool run and parse), seconds',
      labelNames: ['node', 'tool'],
      buckets: PROBE_BUCKETS_SECONDS,
      registers,
    });
    this.#probeErrors = new Counter({
      name: 'infernode_gpu_probe_errors_total',
      help: 'Failed GPU probe cycles and kernel-log reads, by error code',
      labelNames: ['node', 'code'],
      registers,
    });
    this.#probeUp = new Gauge({
      name: 'infernode_gpu_probe_up',
      help: '1 when the last GPU probe succeeded with a real tool, 0 otherwise (null probe included)',
      labelNames: ['node'],
      registers,
    });
  }

  /** Records one probe cycle's duration and outcome. */
  observeProbe(tool: GpuVendorTool, seconds: number, errorCode: string | null): void {
    this.#probeDuration.observe({ node: this.#node, tool }, seconds);
    if (errorCode !== null) this.#probeErrors.inc({ node: this.#node, code: errorCode });
    this.#probeUp.set({ node: this.#node }, errorCode === null && tool !== 'none' ? 1 : 0);
  }

  /** Counts an error that is not a probe cycle (kernel-log read). */
  countError(code: string): void {
    this.#probeErrors.inc({ node: this.#node, code });
  }

  /** Counts Xid events; `gpuOf` maps a bus id to its labels. */
  countXids(events: readonly XidEvent[], state: HealthState): void {
    for (const e of events) {
      const h = state.gpus.get(e.busId)?.health;
      const xid = Number.isInteger(e.xid) && e.xid >= 0 && e.xid <= 255 ? String(e.xid) : 'other';
      this.#xids.inc({ node: this.#node, gpu: String(h?.index ?? -1), uuid: h?.uuid ?? '', xid });
    }
  }

  /** Sets every per-GPU gauge from the policy state. */
  update(state: HealthState): void {
    for (const track of state.gpus.values()) {
      const labels = { node: this.#node, gpu: String(track.health.index), uuid: track.health.uuid };
      for (const s of GPU_HEALTH_STATES)
        this.#health.set({ ...labels, state: s }, track.health.health === s ? 1 : 0);
      for (const [g, read] of this.#facts) {
        const value = track.facts === null ? null : read(track.facts);
        if (value === null) g.remove(labels);
        else g.set(labels, value);
      }
    }
  }
}
