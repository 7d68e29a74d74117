/**
 * `GpuMonitor`: the agent's GPU loop (a Runnable). It probes every `gpu.probeIntervalMs`, tails
 * the kernel log every `gpu.kmsgPollIntervalMs` so an Xid is noticed within about a second, runs
 * the pure health policy, updates metrics, and tells listeners at once when any GPU's health
 * changes. It builds nothing: ports, config, clock, logger and registry come in.
 */
import {
  AppError,
  linkedSignal,
  sleep,
  toError,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../shared/index.js';
import type { GpuConfig } from './gpu-config.js';
import { GpuMetrics } from './gpu-metrics.js';
import type { GpuProbe, HostProbe, KernelLogSource } from './gpu-probe.js';
import { evaluateHealth } from './health-policy.js';
import {
  initialHealthState,
  type HealthState,
  type HealthTransition,
  type ProbeOutcome,
} from './health-state.js';
import { extractXidEvents } from './parse-kernel-log.js';
import type { GpuReport, HostFacts, XidEvent } from './gpu-facts.js';

/** Called with the full report and what changed, right after any GPU's health changes. */
export type GpuChangeListener = (
  report: GpuReport,
  transitions: readonly HealthTransition[],
) => void;

/** Constructor options of {@link GpuMonitor}. */
export interface GpuMonitorOptions {
  readonly probe: GpuProbe;
  /** Kernel-log source for Xids; `null` on nodes without NVIDIA GPUs. */
  readonly kernelLog: KernelLogSource | null;
  /** Host facts source; `null` to skip them. */
  readonly hostProbe: HostProbe | null;
  /** Node cache directory whose disk the host probe reports. Default `/`. */
  readonly cachePath?: string;
  readonly config: GpuConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** Node name: the `node` label and report field. */
  readonly node: string;
}

/** The GPU monitor; see the module comment. */
export class GpuMonitor implements Runnable {
  readonly name = 'gpu-monitor';
  readonly #options: GpuMonitorOptions;
  readonly #metrics: GpuMetrics;
  readonly #listeners = new Set<GpuChangeListener>();
  readonly #sampleListeners = new Set<(report: GpuReport) => void>();
  #state: HealthState;
  #host: HostFacts | null = null;

  constructor(options: GpuMonitorOptions) {
    this.#options = options;
    this.#metrics = new GpuMetrics(options.registry, options.node);
    this.#state = initialHealthState(options.probe.tool);
  }

  /** Adds a health-change listener; returns a function that removes it. */
  onChange(listener: GpuChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Adds a listener called with the full report after every probe cycle, changed or not (facts
   * such as temperature move every cycle); returns a function that removes it.
   */
  onSample(listener: (report: GpuReport) => void): () => void {
    this.#sampleListeners.add(listener);
    return () => this.#sampleListeners.delete(listener);
  }

  /** Every GPU's facts and health, as JSON for `GET /v1/gpus`. */
  report(): GpuReport {
    const s = this.#state;
    return {
      node: this.#options.node,
      tool: s.tool,
      lastProbeMs: s.lastProbeMs,
      probeConsecutiveFailures: s.probeConsecutiveFailures,
      lastProbeError: s.lastProbeError,
      gpus: [...s.gpus.values()].map((t) => ({ health: t.health, facts: t.facts })),
      host: this.#host,
    };
  }

  /**
   * Runs until `signal` aborts: a probe loop (every `gpu.probeIntervalMs`) and a kernel-log loop
   * (every `gpu.kmsgPollIntervalMs`) side by side, so an Xid is seen within a poll even while a
   * dying GPU makes nvidia-smi hang until its timeout. Rejects only when `gpu.failOnProbeError`
   * is set and the first probe fails (so startup fails); later failures show in health and metrics.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { config } = this.#options;
    await this.pollKernelLogOnce(signal); // fixes the kernel-log start offset before anything else
    const first = await this.probeOnce(signal);
    if (first.kind === 'error' && config.failOnProbeError && !signal.aborted)
      throw new AppError(first.code, `first GPU probe failed: ${first.message}`);
    await Promise.all([
      this.#loop(signal, config.probeIntervalMs, () => this.probeOnce(signal)),
      this.#loop(signal, config.kmsgPollIntervalMs, () => this.pollKernelLogOnce(signal)),
    ]);
  }

  /** Calls `step` every `intervalMs` (start to start; never back to back) until `signal` aborts. */
  async #loop(
    signal: AbortSignal,
    intervalMs: number,
    step: () => Promise<unknown>,
  ): Promise<void> {
    const { clock } = this.#options;
    let next = clock.monotonicMs() + intervalMs;
    for (;;) {
      await sleep(Math.max(0, next - clock.monotonicMs()), signal);
      if (signal.aborted) return;
      await step();
      next = Math.max(next + intervalMs, clock.monotonicMs() + intervalMs / 2);
    }
  }

  /** One probe cycle, then the policy. Returns the probe outcome. */
  async probeOnce(signal: AbortSignal): Promise<ProbeOutcome> {
    const { config, clock } = this.#options;
    const started = clock.monotonicMs();
    // Not AbortSignal.any on the process signal: that leaks per call on Node 20 (linked-signal.ts).
    const link = linkedSignal([signal], config.probeTimeoutMs * 2);
    try {
      return await this.#probeAndApply(signal, link.signal, started);
    } finally {
      link.dispose();
    }
  }

  async #probeAndApply(
    signal: AbortSignal,
    inner: AbortSignal,
    started: number,
  ): Promise<ProbeOutcome> {
    const { clock, probe } = this.#options;
    let outcome: ProbeOutcome;
    try {
      outcome = { kind: 'sample', sample: await probe.sample({ signal: inner }) };
    } catch (thrown) {
      const err = toError(thrown);
      const code = err instanceof AppError ? err.code : 'GPU_PROBE_EXIT_NONZERO';
      outcome = { kind: 'error', code, message: err.message };
      if (!signal.aborted) this.#options.log.warn({ err, code }, 'GPU probe failed');
    }
    if (signal.aborted) return outcome;
    const seconds = (clock.monotonicMs() - started) / 1000;
    this.#metrics.observeProbe(probe.tool, seconds, outcome.kind === 'error' ? outcome.code : null);
    this.#apply(outcome, []);
    await this.#sampleHost(inner); // after the policy, so a slow df never delays a health change
    return outcome;
  }

  /** Reads the kernel log and applies any Xids at once (between probe cycles). */
  async pollKernelLogOnce(signal: AbortSignal): Promise<void> {
    const xids = await this.#readXids(signal);
    if (xids.length > 0 && !signal.aborted) this.#apply({ kind: 'skipped' }, xids);
  }

  async #readXids(signal: AbortSignal): Promise<XidEvent[]> {
    const source = this.#options.kernelLog;
    if (source === null) return [];
    try {
      return extractXidEvents(await source.readNewLines({ signal }));
    } catch (thrown) {
      const err = toError(thrown);
      this.#metrics.countError(err instanceof AppError ? err.code : 'GPU_KMSG_READ_FAILED');
      this.#options.log.warn({ err }, 'kernel log read failed');
      return [];
    }
  }

  async #sampleHost(signal: AbortSignal): Promise<void> {
    const host = this.#options.hostProbe;
    if (host === null) return;
    try {
      this.#host = await host.sample(this.#options.cachePath ?? '/', { signal });
    } catch (thrown) {
      this.#options.log.debug({ err: toError(thrown) }, 'host probe failed');
    }
  }

  #apply(probe: ProbeOutcome, xids: readonly XidEvent[]): void {
    const { state, transitions } = evaluateHealth(
      this.#state,
      { probe, xids, nowMs: this.#options.clock.now() },
      this.#options.config,
    );
    this.#state = state;
    this.#metrics.countXids(xids, state);
    this.#metrics.update(state);
    this.#logXids(xids);
    if (transitions.length === 0) {
      this.#notify(this.#sampleListeners, (l) => l(this.report()));
      return;
    }
    for (const t of transitions) {
      const line = {
        busId: t.busId,
        gpu: t.health.index,
        from: t.from,
        to: t.to,
        reasons: t.health.reasons,
      };
      if (t.to === 'healthy') this.#options.log.info(line, 'GPU health changed');
      else this.#options.log.warn(line, 'GPU health changed');
    }
    const report = this.report();
    this.#notify(this.#listeners, (l) => l(report, transitions));
    this.#notify(this.#sampleListeners, (l) => l(report));
  }

  #notify<L>(listeners: ReadonlySet<L>, call: (listener: L) => void): void {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (thrown) {
        this.#options.log.error({ err: toError(thrown) }, 'GPU listener threw');
      }
    }
  }

  /** One line per (GPU, Xid) per batch, so an Xid storm does not flood the log. */
  #logXids(xids: readonly XidEvent[]): void {
    const counts = new Map<string, { busId: string; xid: number; count: number; detail: string }>();
    for (const e of xids) {
      const key = `${e.busId}/${e.xid}`;
      const c = counts.get(key) ?? { busId: e.busId, xid: e.xid, count: 0, detail: e.detail };
      c.count += 1;
      counts.set(key, c);
    }
    for (const c of counts.values()) this.#options.log.warn(c, 'GPU Xid event');
  }
}
