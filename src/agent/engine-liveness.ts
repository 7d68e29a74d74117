/**
 * Whether an engine is ready, decided from liveness and never from /metrics: a busy vLLM answers
 * /metrics slowly exactly when it is loaded, and dropping it then would flap it out of routing
 * under load. Ready means the health endpoint answered recently, or the engine finished requests
 * recently (its success counter rose between two scrapes). Metrics that cannot be read are
 * reported as stale data, not as a dead engine. Pure: the watcher feeds it observations.
 */

/** What the watcher knows about an engine's liveness. */
export interface Liveness {
  /** The health endpoint has answered 2xx at least once since the agent started watching. */
  readonly everHealthy: boolean;
  /** Health checks failed in a row (0 after a 2xx). */
  readonly healthFailures: number;
  /** When the engine last showed finished requests (ms, agent clock); undefined if never. */
  readonly lastServedAtMs: number | undefined;
}

/** An engine not checked yet: not ready until it answers. */
export const UNKNOWN_LIVENESS: Liveness = Object.freeze({
  everHealthy: false,
  healthFailures: 0,
  lastServedAtMs: undefined,
});

/** Health checks failed in a row before an engine without recent requests is unready. */
export const HEALTH_FAILURES_UNREADY = 2;

/** One cycle's observations of an engine. */
export interface LivenessObservation {
  /** The health endpoint answered 2xx this cycle. */
  readonly healthOk: boolean;
  /** The success counter rose since the previous successful metrics scrape. */
  readonly servedRequests: boolean;
  readonly nowMs: number;
}

/** The liveness after one cycle. */
export function observeLiveness(prev: Liveness, obs: LivenessObservation): Liveness {
  return {
    everHealthy: prev.everHealthy || obs.healthOk,
    healthFailures: obs.healthOk ? 0 : prev.healthFailures + 1,
    lastServedAtMs: obs.servedRequests ? obs.nowMs : prev.lastServedAtMs,
  };
}

/**
 * Ready when the engine has answered its health endpoint and has not failed it
 * {@link HEALTH_FAILURES_UNREADY} times in a row, or when it finished requests within
 * `recentMs` (a health endpoint that is slow under load does not unready a serving engine).
 */
export function isEngineReady(liveness: Liveness, nowMs: number, recentMs: number): boolean {
  const healthy = liveness.everHealthy && liveness.healthFailures < HEALTH_FAILURES_UNREADY;
  const served =
    liveness.lastServedAtMs !== undefined && nowMs - liveness.lastServedAtMs <= recentMs;
  return healthy || served;
}
