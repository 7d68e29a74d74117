import { describe, expect, it } from 'vitest';
import {
  parseStrategy,
  pick,
  shortlist,
  type CandidateLocator,
  type EndpointLoad,
  type RoutingContext,
  type RoutingRequest,
  type StrategyMix,
} from '../../../src/routing/index.js';
import {
  aRequest,
  aRoutingContext,
  anEndpoint,
  fillerText,
  promptRequest,
} from '../../helpers/routing-builders.js';

const mixOf = (spec: string): StrategyMix => {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
};

const fleet = (n: number, overrides: (i: number) => Partial<EndpointLoad> = () => ({})) =>
  Array.from({ length: n }, (_, i) =>
    anEndpoint(`node-${i >> 3}/engine-${i}`, { node: `node-${i >> 3}`, ...overrides(i) }),
  );

const routable = (e: EndpointLoad): boolean => e.ready && e.healthy;

function listed(
  endpoints: readonly EndpointLoad[],
  request: RoutingRequest,
  mix: StrategyMix,
  ctx: RoutingContext,
  limit = 16,
): readonly EndpointLoad[] {
  return shortlist(endpoints, request, mix, ctx, 1_000, { limit, routable });
}

/** Positions by id and node, as the leader's catalog hands them out. */
function locatorOf(endpoints: readonly EndpointLoad[]): CandidateLocator {
  const byNode = new Map<string, number[]>();
  endpoints.forEach((e, i) => byNode.set(e.node, [...(byNode.get(e.node) ?? []), i]));
  return {
    indexOfId: (id) => {
      const i = endpoints.findIndex((e) => e.id === id);
      return i < 0 ? undefined : i;
    },
    indexesOfNode: (node) => byNode.get(node) ?? [],
  };
}

/** Routes `request` to `id` through the gateway's prefix index, as an earlier pick would have. */
function routedBefore(ctx: RoutingContext, request: RoutingRequest, id: string, nowMs = 500): void {
  const target = anEndpoint(id);
  pick({ nowMs, endpoints: [target] }, request, mixOf('prefix-cache'), ctx);
}

describe('shortlist', () => {
  it('scores every candidate of a model with no more engines than the limit', () => {
    const endpoints = fleet(16);
    expect(listed(endpoints, aRequest(), mixOf('auto'), aRoutingContext())).toBe(endpoints);
  });

  it('keeps `limit` routable candidates, in their order, never an unroutable one', () => {
    const endpoints = fleet(200, (i) => ({ healthy: i % 3 !== 0 }));
    const kept = listed(endpoints, aRequest(), mixOf('least-request'), aRoutingContext(3));
    expect(kept).toHaveLength(16);
    expect(kept.every(routable)).toBe(true);
    const order = kept.map((e) => endpoints.indexOf(e));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps every routable one when fewer than the limit are routable', () => {
    const endpoints = fleet(100, (i) => ({ ready: i < 10 }));
    const kept = listed(endpoints, aRequest(), mixOf('auto'), aRoutingContext());
    expect(kept.map((e) => e.id)).toEqual(endpoints.slice(0, 10).map((e) => e.id));
  });

  it('samples the others uniformly: each candidate is kept about limit / n of the time', () => {
    const endpoints = fleet(64);
    const ctx = aRoutingContext(7);
    const times = new Map<string, number>();
    const rounds = 2_000;
    for (let r = 0; r < rounds; r++)
      for (const e of listed(endpoints, aRequest(), mixOf('least-request'), ctx))
        times.set(e.id, (times.get(e.id) ?? 0) + 1);
    // Expected 500 each (16 of 64); binomial σ ≈ 19, so ±100 is over 5σ.
    for (const e of endpoints) expect(Math.abs((times.get(e.id) ?? 0) - 500)).toBeLessThan(100);
  });

  it('keeps the prompt’s holders, so a shortlisted pick goes where the whole list sends it', () => {
    const ctx = aRoutingContext(11);
    const document = promptRequest(fillerText('holders', 4_000));
    routedBefore(ctx, document, 'node-30/engine-241');
    const endpoints = fleet(256, (i) => ({ inFlight: i % 5 }));
    const kept = listed(endpoints, document, mixOf('auto'), ctx);
    expect(kept.map((e) => e.id)).toContain('node-30/engine-241');
    expect(pick({ nowMs: 1_000, endpoints: kept }, document, mixOf('auto'), ctx).id).toBe(
      'node-30/engine-241',
    );
  });

  it('ranks holders by how much of the prompt they hold when more hold some than fit', () => {
    const ctx = aRoutingContext(13);
    const system = fillerText('system', 1_000);
    const request = promptRequest(`${system}${fillerText('conversation', 3_000)}`);
    // Every engine holds the shared system prompt; two hold this conversation too.
    const endpoints = fleet(128);
    endpoints.forEach((e, i) => routedBefore(ctx, promptRequest(`${system}other ${i}`), e.id));
    routedBefore(ctx, request, endpoints[5]!.id);
    routedBefore(ctx, request, endpoints[77]!.id);
    for (let round = 0; round < 20; round++) {
      const kept = listed(endpoints, request, mixOf('auto'), ctx).map((e) => e.id);
      expect(kept).toHaveLength(16);
      expect(kept).toEqual(expect.arrayContaining([endpoints[5]!.id, endpoints[77]!.id]));
    }
  });

  it('keeps a new session’s rendezvous winner among all engines', () => {
    const endpoints = fleet(300);
    const mix = mixOf('session-affinity');
    for (const sessionId of ['s-1', 's-2', 's-3', 's-4']) {
      const request = aRequest({ sessionId });
      const whole = pick({ nowMs: 1_000, endpoints }, request, mix, aRoutingContext(1)).id;
      const ctx = aRoutingContext(2);
      const kept = listed(endpoints, request, mix, ctx);
      expect(pick({ nowMs: 1_000, endpoints: kept }, request, mix, ctx).id).toBe(whole);
    }
  });

  it('keeps the engines with the requested adapter loaded first', () => {
    const endpoints = fleet(200, (i) => ({
      adapters: i % 50 === 7 ? ['sql-lora'] : [],
      maxLoras: 1,
    }));
    const kept = listed(
      endpoints,
      aRequest({ model: 'sql-lora', adapter: 'sql-lora' }),
      mixOf('lora-affinity'),
      aRoutingContext(),
    );
    const withAdapter = endpoints.filter((e) => e.adapters.length > 0).map((e) => e.id);
    expect(kept.map((e) => e.id)).toEqual(expect.arrayContaining(withAdapter));
  });

  describe('with a locator (candidates reached by the names preferences give)', () => {
    const located = (
      endpoints: readonly EndpointLoad[],
      request: RoutingRequest,
      mix: StrategyMix,
      ctx: RoutingContext,
      isRoutable: (e: EndpointLoad) => boolean = routable,
    ) =>
      shortlist(endpoints, request, mix, ctx, 1_000, {
        limit: 16,
        routable: isRoutable,
        locate: locatorOf(endpoints),
      });

    it('keeps the same holders as a pass over every engine, and looks at few others', () => {
      const ctx = aRoutingContext(17);
      const system = fillerText('system', 1_000);
      const request = promptRequest(`${system}${fillerText('conversation', 3_000)}`);
      const endpoints = fleet(1_000);
      endpoints.slice(0, 40).forEach((e, i) => {
        routedBefore(ctx, promptRequest(`${system}other ${i}`), e.id);
      });
      routedBefore(ctx, request, endpoints[605]!.id);
      routedBefore(ctx, request, endpoints[911]!.id);
      let asked = 0;
      const counted = (e: EndpointLoad): boolean => {
        asked++;
        return routable(e);
      };
      for (let round = 0; round < 20; round++) {
        asked = 0;
        const kept = located(endpoints, request, mixOf('auto'), ctx, counted).map((e) => e.id);
        expect(kept).toHaveLength(16);
        expect(kept).toEqual(expect.arrayContaining([endpoints[605]!.id, endpoints[911]!.id]));
        // 42 holders plus a few draws for the sample, not 1,000.
        expect(asked).toBeLessThan(100);
      }
    });

    it('samples the rest uniformly among routable engines by rejection', () => {
      const endpoints = fleet(64, (i) => ({ healthy: i % 4 !== 0 }));
      const ctx = aRoutingContext(19);
      const times = new Map<string, number>();
      const rounds = 2_000;
      for (let r = 0; r < rounds; r++) {
        const kept = located(endpoints, aRequest(), mixOf('least-request'), ctx);
        expect(kept).toHaveLength(16);
        for (const e of kept) times.set(e.id, (times.get(e.id) ?? 0) + 1);
      }
      // 48 routable, 16 kept: expected 667 each (σ ≈ 21); never an unroutable one.
      for (const [i, e] of endpoints.entries()) {
        const n = times.get(e.id) ?? 0;
        if (i % 4 === 0) expect(n).toBe(0);
        else expect(Math.abs(n - 667)).toBeLessThan(120);
      }
    });

    it('falls back to a pass over every engine when few are routable', () => {
      const endpoints = fleet(500, (i) => ({ ready: i % 100 === 3 }));
      const kept = located(endpoints, aRequest(), mixOf('auto'), aRoutingContext(23));
      expect(kept.map((e) => e.id)).toEqual(endpoints.filter((e) => e.ready).map((e) => e.id));
    });

    it('keeps a new session’s rendezvous winner (a preference that names nobody: every engine)', () => {
      const endpoints = fleet(300);
      const mix = mixOf('session-affinity');
      const request = aRequest({ sessionId: 's-9' });
      const whole = pick({ nowMs: 1_000, endpoints }, request, mix, aRoutingContext(1)).id;
      const ctx = aRoutingContext(2);
      const kept = located(endpoints, request, mix, ctx);
      expect(pick({ nowMs: 1_000, endpoints: kept }, request, mix, ctx).id).toBe(whole);
    });
  });
});
