import type { RoutingAlgorithm } from '../routing-algorithm.js';

/** Uniform random: every candidate scores a fresh random number; the highest wins. */
export const random: RoutingAlgorithm = {
  name: 'random',
  polarity: 'higher-is-better',
  description: 'uniformly random ready endpoint',
  score: (snapshot, _request, { rng }) => snapshot.endpoints.map(() => rng.next()),
};
