/**
 * The GPU optimizer as a leader part (issue #16): the gateway taps every finished request into
 * a bounded request log; every `optimizer.intervalMs` a round re-reads the profiles, clusters
 * the last `optimizer.windowS` of the log per model, solves the allocation (HiGHS, greedy
 * fallback) and keeps the recommendations, which the control server serves as Prometheus text:
 * `GET /v1/optimizer/metrics` (all deployments) and `/v1/optimizer/metrics/<namespace>/<name>`
 * (one, for a PodAutoscaler `external` source, as AIBrix's `/metrics/<ns>/<deployment>`).
 * HiGHS solves in a worker thread (HighsWorkerSolver): a solve takes up to its time budget and
 * this process also serves the gateway.
 * A deployment with no recommendation (before the first round, no profile) answers 503, so its
 * PodAutoscaler's source fails and it keeps its scale: never a fleet scaled on a guess.
 */
import type { ServerResponse } from 'node:http';
import {
  deploymentKey,
  parseOptimizerDeployments,
  recommendReplicas,
  renderDeploymentReplicas,
  RequestLog,
  type LpSolver,
  type OptimizerDeployment,
  type OptimizerRound,
} from '../optimizer/index.js';
import { HighsWorkerSolver, loadGpuProfiles } from '../optimizer/adapters/index.js';
import {
  AppError,
  sendText,
  sleep,
  toError,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../shared/index.js';
import type { LeaderConfig } from './leader-adapters.js';
import { OptimizerMetrics } from './optimizer-metrics.js';

/** Path prefix of the optimizer's endpoint on the control server. */
export const OPTIMIZER_METRICS_PATH = '/v1/optimizer/metrics';
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** What the optimizer part needs. */
export interface GpuOptimizerOptions {
  readonly config: LeaderConfig['optimizer'];
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** Test seam: the solver; default HiGHS in a worker thread, started on the first round. */
  readonly solver?: LpSolver;
}

/** See the file comment. */
export class GpuOptimizer implements Runnable {
  readonly name = 'gpu-optimizer';
  readonly requestLog: RequestLog;
  readonly deployments: readonly OptimizerDeployment[];
  readonly #o: GpuOptimizerOptions;
  readonly #solver: LpSolver;
  readonly #metrics: OptimizerMetrics;
  #round: OptimizerRound | undefined;

  constructor(options: GpuOptimizerOptions) {
    this.#o = options;
    this.#solver = options.solver ?? new HighsWorkerSolver();
    this.#metrics = new OptimizerMetrics(options.registry);
    const parsed = parseOptimizerDeployments(options.config.deployments);
    if (parsed.problems.length > 0)
      throw new AppError('CONFIG_INVALID', `optimizer.deployments: ${parsed.problems.join('; ')}`);
    this.deployments = parsed.deployments;
    this.requestLog = new RequestLog(options.config.logCapacity);
  }

  /** The gateway's tap: one finished request with the usage its engine reported. */
  readonly recordFinished = (
    model: string,
    promptTokens: number,
    completionTokens: number,
  ): void => {
    this.requestLog.record({
      model,
      inputTokens: promptTokens,
      outputTokens: completionTokens,
      atMs: this.#o.clock.now(),
    });
  };

  /** The latest round, if any. */
  get latest(): OptimizerRound | undefined {
    return this.#round;
  }

  /** Runs one round now (profiles re-read, load clustered, allocation solved). */
  async refresh(signal: AbortSignal): Promise<OptimizerRound> {
    const { clock } = this.#o;
    const started = clock.monotonicMs();
    try {
      const round = await this.#solveRound(signal);
      this.#metrics.roundDone(round, (clock.monotonicMs() - started) / 1000);
      this.#round = round;
      return round;
    } catch (err) {
      this.#metrics.roundFailed((clock.monotonicMs() - started) / 1000);
      throw err;
    }
  }

  async #solveRound(signal: AbortSignal): Promise<OptimizerRound> {
    const { config, clock, log } = this.#o;
    const loaded = await loadGpuProfiles(config.profilesDir, 10_000, signal);
    for (const problem of loaded.problems)
      log.warn({ code: problem.code, detail: problem.detail }, problem.message);
    const nowMs = clock.now();
    const started = clock.monotonicMs();
    const round = await recommendReplicas(
      {
        atMs: nowMs,
        deployments: this.deployments,
        profiles: loaded.profiles,
        requests: (model) => this.requestLog.window(model, nowMs, config.windowS * 1000),
        windowS: config.windowS,
        timeBudgetS: config.timeBudgetMs / 1000,
      },
      this.#solver,
    );
    for (const m of round.models) {
      const a = m.allocation;
      log.info(
        {
          model: m.model,
          slices: m.slices.length,
          method: a.method,
          replicas: a.replicas,
          costPerHour: a.costPerHour,
          ms: Math.round(clock.monotonicMs() - started),
        },
        'optimizer round',
      );
      if (a.fallbackReason !== undefined)
        log.warn(
          { model: m.model, reason: a.fallbackReason },
          'optimizer used the greedy fallback',
        );
      for (const u of a.unservable) log.warn({ model: m.model, slice: u.sliceId }, u.reason);
    }
    for (const r of round.recommendations)
      if (r.problem !== undefined)
        log.warn(
          { code: r.problem.code, deployment: deploymentKey(r.deployment) },
          r.problem.message,
        );
    return round;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        try {
          await this.refresh(signal);
        } catch (err) {
          // A bad round keeps the previous recommendations; the next round tries again.
          this.#o.log.error({ err: toError(err) }, 'optimizer round failed');
        }
        await sleep(this.#o.config.intervalMs, signal);
      }
    } finally {
      await this.close();
    }
  }

  /** Stops the solver's worker thread, if it runs one (a later round starts it again). */
  async close(): Promise<void> {
    if (this.#solver instanceof HighsWorkerSolver) await this.#solver.close();
  }

  /**
   * Serves `path` when it is the optimizer's (true), else false: all deployments, or one as
   * `<prefix>/<namespace>/<name>` (404 unknown, 503 no recommendation yet or no profile).
   */
  serve(path: string, res: ServerResponse): boolean {
    if (path !== OPTIMIZER_METRICS_PATH && !path.startsWith(`${OPTIMIZER_METRICS_PATH}/`))
      return false;
    const recommendations = this.#round?.recommendations ?? [];
    if (path === OPTIMIZER_METRICS_PATH) {
      sendText(res, 200, renderDeploymentReplicas(recommendations), TEXT);
      return true;
    }
    const key = path.slice(OPTIMIZER_METRICS_PATH.length + 1);
    const deployment = this.deployments.find((d) => deploymentKey(d) === key);
    if (deployment === undefined) {
      sendText(res, 404, `the optimizer sizes no deployment ${key}\n`);
      return true;
    }
    const r = recommendations.find((x) => deploymentKey(x.deployment) === key);
    if (r?.replicas === undefined || r.replicas === null) {
      const why = r?.problem?.message ?? 'no optimizer round has finished yet';
      sendText(res, 503, `${r?.problem?.code ?? 'OPTIMIZER_NOT_READY'}: ${why}\n`);
      return true;
    }
    sendText(res, 200, renderDeploymentReplicas([r]), TEXT);
    return true;
  }
}

/** The optimizer part, or undefined when `optimizer.deployments` is empty (off). */
export function buildGpuOptimizer(options: GpuOptimizerOptions): GpuOptimizer | undefined {
  return options.config.deployments.length === 0 ? undefined : new GpuOptimizer(options);
}
