import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Fewest prompt tokens waiting for prefill: what this gateway sent to the endpoint that has not
 * produced output yet (exact, no scrape lag). It is llm-d's queue scorer in the unit the wait is
 * made of: a queued 100k-token prompt delays the next request far longer than ten short ones,
 * which a request count cannot see. Equal queues (none anywhere) leave the choice to the others.
 */
export const leastPrefill: RoutingAlgorithm = {
  name: 'least-prefill',
  polarity: 'lower-is-better',
  description: 'fewest prompt tokens waiting for prefill, as this gateway counts them',
  score: (snapshot) => snapshot.endpoints.map((e) => e.pendingPrefillTokens),
};
