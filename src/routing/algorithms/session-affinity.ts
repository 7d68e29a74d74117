import { stringHash52 } from '../../kvcache/index.js';
import type { EndpointLoad, RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Rendezvous (highest-random-weight) choice of an endpoint for a session id: each candidate
 * weighs `hash(sessionId ‖ 0 ‖ endpoint id)`; the highest wins, ties by id. When an endpoint
 * leaves, only its sessions move; the others keep their endpoint.
 */
export function rendezvousIndex(sessionId: string, endpoints: readonly EndpointLoad[]): number {
  let best = -1;
  let bestWeight = -1;
  let bestId = '';
  endpoints.forEach((e, i) => {
    const weight = stringHash52(`${sessionId}\u0000${e.id}`);
    if (weight > bestWeight || (weight === bestWeight && e.id < bestId)) {
      best = i;
      bestWeight = weight;
      bestId = e.id;
    }
  });
  return best;
}

/**
 * Sticky sessions on the `x-session-id` header value: the endpoint the session last went to
 * (bounded LRU table in `RoutingState.sessions`, idle TTL) scores 1 while it is a candidate;
 * a new session, or one whose endpoint is gone, goes to the rendezvous-hash winner. Everyone else
 * scores 0; without a session id all score 0 (neutral in a mix, random alone). After routing the
 * table records where the request really went (the fused choice may differ). Metrics are not
 * used, so staleness does not apply. Unlike AIBrix the header carries the client's own session
 * id, not an encoded pod address, so it reveals nothing and survives pod churn.
 */
export const sessionAffinity: RoutingAlgorithm = {
  name: 'session-affinity',
  polarity: 'higher-is-better',
  normalization: 'absolute',
  description: 'sticky endpoint per x-session-id (rendezvous hashing for new sessions)',
  // Shortlisted picks keep the session's engine, then the highest rendezvous weights: the engine
  // the whole list would give a new session (or one whose engine left) is among them.
  preference: (request, { state }, nowMs) => {
    const sessionId = request.sessionId;
    if (sessionId === undefined || sessionId === '') return undefined;
    const known = state.sessions.lookup(sessionId, nowMs);
    return (e) =>
      e.id === known ? Number.MAX_VALUE : 1 + stringHash52(`${sessionId}\u0000${e.id}`);
  },
  score: (snapshot, request, { state }) => {
    const scores = new Array<number>(snapshot.endpoints.length).fill(0);
    const sessionId = request.sessionId;
    if (sessionId === undefined || sessionId === '') return scores;
    const known = state.sessions.lookup(sessionId, snapshot.nowMs);
    let index = known === undefined ? -1 : snapshot.endpoints.findIndex((e) => e.id === known);
    if (index < 0) index = rendezvousIndex(sessionId, snapshot.endpoints);
    if (index >= 0) scores[index] = 1;
    return scores;
  },
  onRouted: (chosen, request, { state }, snapshot) => {
    if (request.sessionId === undefined || request.sessionId === '') return;
    state.sessions.remember(request.sessionId, chosen.id, snapshot.nowMs);
  },
};
