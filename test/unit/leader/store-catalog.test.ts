import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/cluster-state.js';
import { ClusterEndpointCatalog } from '../../../src/leader/cluster-endpoint-catalog.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import type { EngineReport } from '../../../src/protocol/index.js';

const report = (id: string, servedModels?: string[]): EngineReport => ({
  id,
  model: 'm',
  url: 'u',
  ready: true,
  adapters: [],
  ...(servedModels === undefined ? {} : { servedModels }),
});

describe('ClusterEndpointCatalog', () => {
  it('does not route to an engine whose /v1/models lacks the configured model', () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    const endpoint = (name: string) => ({
      id: `a/${name}`,
      name,
      model: 'm',
      url: `http://127.0.0.1:1/${name}`,
      node: 'a',
      engine: 'vllm' as const,
      gpuIndices: undefined,
      ready: true,
    });
    store.setDiscovery({
      endpoints: [endpoint('right'), endpoint('wrong'), endpoint('unknown')],
      resources: [],
    });
    store.applySnapshot('a', '1', {
      engines: [report('a/right', ['m']), report('a/wrong', ['llama-3']), report('a/unknown')],
      gpus: [],
    });
    const healthy = new ClusterEndpointCatalog(store)
      .lookup('m')
      .endpoints.map((e) => [e.name, e.clusterHealthy]);
    expect(healthy).toEqual([
      ['right', true],
      ['wrong', false],
      ['unknown', true],
    ]);
  });
});
