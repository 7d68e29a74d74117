import type { EndpointLoad, RoutingAlgorithm, RoutingRequest } from '../routing-algorithm.js';

/** Share of the score that the in-flight tie-break may use; below the gap between tiers. */
const LOAD_SHARE = 0.1;

/**
 * The LoRA tier of an endpoint for a request: 2 = the adapter is loaded (EndpointLoad.adapters,
 * or the engine reports it running or waiting), 1 = not loaded but a LoRA slot is free
 * (`maxLoras` above the loaded count), 0 = no slot or LoRA off. Requests without an adapter put
 * every endpoint in tier 2.
 */
export function loraTier(
  endpoint: Pick<EndpointLoad, 'adapters' | 'metrics' | 'maxLoras'>,
  request: RoutingRequest,
): 0 | 1 | 2 {
  const adapter = request.adapter;
  if (adapter === undefined) return 2;
  const lora = endpoint.metrics?.scrape.lora;
  if (
    endpoint.adapters.includes(adapter) ||
    lora?.running.includes(adapter) === true ||
    lora?.waiting.includes(adapter) === true
  )
    return 2;
  return endpoint.maxLoras > endpoint.adapters.length ? 1 : 0;
}

/**
 * LoRA affinity, lexicographic: adapter loaded, then a free LoRA slot, then fewest requests in
 * flight. Score = `tier / 2 × (1 − 0.1) + 0.1 × (1 − inFlight / (max inFlight + 1))`, on a fixed
 * 0–1 scale (`absolute`), so the load term never overturns a tier. The adapter list comes from
 * discovery and the agents; a stale report still names what was loaded (adapters rarely unload),
 * so staleness is ignored here. (llm-d's lora-affinity-scorer grades 1 / 0.8 / 0.6 / 0 likewise.)
 */
export const loraAffinity: RoutingAlgorithm = {
  name: 'lora-affinity',
  polarity: 'higher-is-better',
  normalization: 'absolute',
  description: 'engines with the adapter loaded, then with a free LoRA slot, then least in flight',
  // Shortlisted picks keep the engines with the adapter loaded first, then those with a free slot.
  preference: (request) =>
    request.adapter === undefined ? undefined : (e) => loraTier(e, request),
  score: (snapshot, request) => {
    const maxInFlight = snapshot.endpoints.reduce((m, e) => Math.max(m, e.inFlight), 0);
    return snapshot.endpoints.map(
      (e) =>
        (loraTier(e, request) / 2) * (1 - LOAD_SHARE) +
        LOAD_SHARE * (1 - e.inFlight / (maxInFlight + 1)),
    );
  },
};
