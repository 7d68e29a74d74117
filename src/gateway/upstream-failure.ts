/**
 * What a failed upstream attempt (no answer: refused, reset, timed out) becomes: a typed
 * AppError, counted by code, and, for a connect failure of a request the client still waits
 * for, a strike in passive health that may eject the engine.
 */
import { AppError } from '../shared/index.js';
import type { GatewayEndpoint } from './endpoint-catalog.js';
import type { InferenceDeps } from './inference-deps.js';
import { CONNECT_FAILURES } from './upstream.js';

/**
 * Classifies a failed attempt, counts it and feeds passive health. `clientGone`: the request
 * was aborted on our side (client left, drain deadline), which says nothing of the engine.
 */
export function recordUpstreamFailure(
  endpoint: GatewayEndpoint,
  err: unknown,
  clientGone: boolean,
  deps: Pick<InferenceDeps, 'metrics' | 'health' | 'clock' | 'log'>,
): AppError {
  const { metrics, health, clock, log } = deps;
  const error =
    err instanceof AppError
      ? err
      : new AppError('GW_UPSTREAM_ERROR', 'upstream failed', { cause: err });
  metrics.upstreamErrors.inc({ kind: error.code });
  if (
    !clientGone &&
    CONNECT_FAILURES.has(error.code) &&
    health.recordFailure(endpoint.id, clock.now())
  ) {
    metrics.ejections.inc();
    log.warn(
      { endpoint: endpoint.id, code: error.code },
      'engine ejected by passive health checks',
    );
  }
  return error;
}
