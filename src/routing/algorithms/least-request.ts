import type { RoutingAlgorithm } from '../routing-algorithm.js';

/** Fewest requests in flight, as the gateway counts them itself (exact, no scrape lag). */
export const leastRequest: RoutingAlgorithm = {
  name: 'least-request',
  polarity: 'lower-is-better',
  description: 'fewest requests in flight from this gateway',
  score: (snapshot) => snapshot.endpoints.map((e) => e.inFlight),
};
