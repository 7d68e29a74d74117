/**
 * The autoscaling benchmark's cluster, in virtual time: simulated engines (the simulator's pure
 * EngineCore, stepped directly — no processes, no timers) behind a least-request gateway. Pods
 * cost from creation; they serve after a cold start (pod start + engine init + weight load); a
 * removed pod stops taking requests and drains what it holds, as a terminating pod behind a
 * gateway does. Requests that arrive while no engine is ready are held at the gateway, in order.
 *
 * Each engine's clock is the core's own (seconds since it began serving) plus an offset; the
 * offset moves only while the engine is idle, so a request's times stay in one frame.
 */
import { EngineCore } from '../sim/index.js';
import {
  blockHashesFor,
  type ClusterOptions,
  type ClusterSample,
  type HeldRequest,
  type RequestOutcome,
  type SimPod,
  type Tracked,
} from './autoscaling-pod.js';
import type { TraceEntry } from './routing-trace.js';

/** The simulated cluster. */
export class VirtualCluster {
  readonly pods: SimPod[] = [];
  readonly outcomes: RequestOutcome[] = [];
  readonly #options: ClusterOptions;
  readonly #held: HeldRequest[] = [];
  #nextId = 1;

  constructor(options: ClusterOptions) {
    this.#options = options;
  }

  /** Pods that count as replicas of the target (starting or ready). */
  get replicas(): number {
    return this.pods.filter((p) => p.state === 'starting' || p.state === 'ready').length;
  }

  /** Pods that serve. */
  get ready(): number {
    return this.pods.filter((p) => p.state === 'ready').length;
  }

  /** Pods that cost (everything not gone). */
  get allocated(): number {
    return this.pods.filter((p) => p.state !== 'gone').length;
  }

  /** Requests held at the gateway. */
  get held(): number {
    return this.#held.length;
  }

  /** Requests not finished anywhere. */
  get pending(): number {
    let n = this.#held.length;
    for (const p of this.pods) n += p.inFlight.size;
    return n;
  }

  /** Earliest time a starting pod becomes ready (Infinity when none is starting). */
  nextReadyS(): number {
    let t = Infinity;
    for (const p of this.pods) if (p.state === 'starting') t = Math.min(t, p.readyS);
    return t;
  }

  /** Creates a pod at `nowS`; `warm` pods serve at once (the run's initial replicas). */
  addPod(nowS: number, warm = false): void {
    const readyS = warm ? nowS : nowS + this.#options.coldStartS;
    this.pods.push({
      id: this.#nextId++,
      createdS: nowS,
      readyS,
      state: warm ? 'ready' : 'starting',
      goneS: NaN,
      core: new EngineCore<Tracked>(this.#options.core, this.#options.profile),
      offsetS: readyS,
      inFlight: new Set(),
      prefillTokens: 0,
      prefillBusyS: 0,
    });
  }

  /**
   * Removes one replica at `nowS`: a starting pod first (newest), else the ready pod holding the
   * fewest requests, which drains. Returns false when there is none.
   */
  removePod(nowS: number): boolean {
    const starting = this.pods.filter((p) => p.state === 'starting');
    const victim = starting[starting.length - 1];
    if (victim !== undefined) {
      victim.state = 'gone';
      victim.goneS = nowS;
      return true;
    }
    const ready = this.pods.filter((p) => p.state === 'ready');
    if (ready.length === 0) return false;
    const pick = ready.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    pick.state = 'draining';
    this.#settleDrained(pick, nowS);
    return true;
  }

  /** Runs every engine up to `nowS`: steps, readiness, drains; then releases held requests. */
  advanceTo(nowS: number): void {
    for (const pod of this.pods) {
      if (pod.state === 'starting' && pod.readyS <= nowS) pod.state = 'ready';
      if (pod.state === 'ready' || pod.state === 'draining') this.#run(pod, nowS);
    }
    while (this.#held.length > 0 && this.ready > 0) {
      const h = this.#held.shift() as HeldRequest;
      this.#dispatch(h.entry, h.outcome, nowS);
    }
  }

  /** A request arrives at `nowS` (after advanceTo(nowS)). */
  arrive(entry: TraceEntry, nowS: number): void {
    const outcome: RequestOutcome = { arrivalS: nowS, ttftS: NaN, finished: false };
    this.outcomes.push(outcome);
    if (this.ready === 0) this.#held.push({ entry, outcome });
    else this.#dispatch(entry, outcome, nowS);
  }

  /** What the agents would report of the ready engines now; resets the prefill counters. */
  sample(): ClusterSample {
    let ready = 0;
    let running = 0;
    let waiting = 0;
    let kvUsageSum = 0;
    let waitingPromptTokens = 0;
    let prefillTokens = 0;
    let prefillBusyS = 0;
    for (const h of this.#held) waitingPromptTokens += h.entry.inputLength;
    for (const pod of this.pods) {
      if (pod.state === 'ready' || pod.state === 'draining') {
        for (const r of pod.inFlight)
          if (r.numOutputTokens === 0)
            waitingPromptTokens += Math.max(0, r.spec.promptLength - r.numComputedTokens);
        prefillTokens += pod.prefillTokens;
        prefillBusyS += pod.prefillBusyS;
        pod.prefillTokens = 0;
        pod.prefillBusyS = 0;
      }
      if (pod.state !== 'ready') continue;
      ready++;
      running += pod.core.numRunning;
      waiting += pod.core.numWaiting;
      kvUsageSum += pod.core.pool.usageRatio;
    }
    const prefillTokensPerSecond = prefillBusyS > 0 ? prefillTokens / prefillBusyS : NaN;
    return { ready, running, waiting, kvUsageSum, waitingPromptTokens, prefillTokensPerSecond };
  }

  #dispatch(entry: TraceEntry, outcome: RequestOutcome, nowS: number): void {
    // Least-request: fewest requests in flight; ties broken at random (the gateway's rule).
    const ready = this.pods.filter((p) => p.state === 'ready');
    let best: SimPod[] = [];
    let min = Infinity;
    for (const p of ready) {
      if (p.inFlight.size < min) {
        min = p.inFlight.size;
        best = [p];
      } else if (p.inFlight.size === min) best.push(p);
    }
    const pod = best[Math.floor(this.#options.rng.next() * best.length)] as SimPod;
    if (!pod.core.hasWork) pod.offsetS = Math.max(pod.offsetS, nowS - pod.core.nowS);
    const spec = {
      promptLength: Math.max(1, entry.inputLength),
      blockHashes: blockHashesFor(entry, this.#options.core.blockSizeTokens),
      maxTokens: Math.max(1, entry.outputLength),
      eosAfterTokens: Infinity,
      lora: null,
    };
    const req = pod.core.submit(spec, { outcome }, nowS - pod.offsetS);
    if (req === null) {
      outcome.finished = true; // refused (queue bound): counts as a miss, never as a TTFT
      return;
    }
    pod.inFlight.add(req);
  }

  #run(pod: SimPod, untilS: number): void {
    const core = pod.core;
    while (core.hasWork && pod.offsetS + core.nowS < untilS) {
      const step = core.step();
      if (step === null) break;
      if (step.prefillTokens > 0) {
        pod.prefillTokens += step.prefillTokens;
        pod.prefillBusyS += step.endS - step.startS;
      }
      for (const r of step.emitted) {
        if (r.numOutputTokens === 1) r.tag.outcome.ttftS = r.firstTokenS - r.arrivalS;
      }
      for (const r of step.finished) {
        r.tag.outcome.finished = true;
        pod.inFlight.delete(r);
      }
    }
    if (!core.hasWork) pod.offsetS = Math.max(pod.offsetS, untilS - core.nowS);
    if (pod.state === 'draining') this.#settleDrained(pod, pod.offsetS + core.nowS);
  }

  #settleDrained(pod: SimPod, nowS: number): void {
    if (pod.inFlight.size > 0) return;
    pod.state = 'gone';
    pod.goneS = nowS;
  }
}
