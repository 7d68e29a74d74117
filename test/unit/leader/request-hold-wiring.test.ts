/**
 * The leader's request hold wiring: a held request's demand goes to the autoscaler with the held
 * count, and the hold's own ScaleFromZero acts only when no PodAutoscaler took it (one actor per
 * target); declared adapters are expected models with the short adapter hold.
 */
import { describe, expect, it } from 'vitest';
import type { ScaleGroupEntry } from '../../../src/discovery/index.js';
import { InMemoryScaleClient } from '../../../src/kube/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import {
  ADAPTER_HOLD_MS,
  buildRequestHold,
  declaredAdapterSource,
  scaleGroupTarget,
} from '../../../src/leader/request-hold-wiring.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const group = { name: 'llama-group', model: 'llama' } as ScaleGroupEntry;

function wiring(onDemand: (model: string, held: number) => boolean) {
  const client = new InMemoryScaleClient();
  client.define(scaleGroupTarget(group), { replicas: 0, statusReplicas: 0, selector: undefined });
  const hold = buildRequestHold({
    store: new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 }),
    registry: createRegistry({ defaultMetrics: false }),
    log: silentLogger(),
    settings: { holdTimeoutMs: 60_000, maxHeldRequests: 10 },
    sources: [declaredAdapterSource(() => new Set(['sql-lora']))],
    scaleGroups: { current: () => [group], client },
    onDemand,
  });
  return { hold, client };
}

describe('buildRequestHold', () => {
  it('gives the demand and the held count to the autoscaler, which then scales alone', async () => {
    const demands: [string, number][] = [];
    const client = new AbortController();
    const { hold, client: scale } = wiring((model, held) => {
      demands.push([model, held]);
      client.abort(); // the client leaves once the demand is seen
      return true;
    });
    expect(await hold.wait('llama', client.signal)).toBe('client-gone');
    expect(demands).toEqual([['llama', 1]]);
    expect(scale.history).toEqual([]);
  });

  it('takes the target off zero itself when no PodAutoscaler took the demand', async () => {
    const client = new AbortController();
    const { hold, client: scale } = wiring(() => false);
    const outcome = hold.wait('llama', client.signal);
    await waitFor(() => scale.history.length === 1, 'the scale group set to 1');
    expect(scale.history[0]).toMatchObject({ replicas: 1, target: { name: 'llama-group' } });
    client.abort();
    expect(await outcome).toBe('client-gone');
  });

  it('expects declared adapters with the adapter hold time', () => {
    const { hold } = wiring(() => false);
    expect(hold.timeoutMsFor('sql-lora')).toBe(ADAPTER_HOLD_MS);
    expect(ADAPTER_HOLD_MS).toBe(15_000);
    expect(hold.timeoutMsFor('llama')).toBe(60_000);
  });
});
