import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PLACEMENT_POLICIES,
  LORA_ERROR_CODES,
  adapterCandidates,
  planAdapter,
  type EngineAttempt,
  type EngineSlot,
  type PlanInput,
} from '../../../src/lora/index.js';
import { ADAPTER, aWant, anEngine } from '../../helpers/lora-builders.js';

const NOW = 1_000_000;
const IDS = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'];

const engineArb = (id: string): fc.Arbitrary<EngineSlot> =>
  fc
    .record({
      node: fc.constantFrom('n0', 'n1', 'n2', 'n3'),
      ready: fc.boolean(),
      model: fc.constantFrom('base', 'base', 'other'),
      app: fc.constantFrom('vllm', 'vllm', 'other'),
      maxLoras: fc.nat(3),
      maxLoraRank: fc.constantFrom(8, 16),
      loaded: fc.subarray(['x', 'y', ADAPTER]),
      load: fc.nat(5),
    })
    .map(({ node, app, ...rest }) => anEngine(id, node, { ...rest, labels: { app } }));

const attemptArb = (engineId: string): fc.Arbitrary<EngineAttempt> =>
  fc.record({
    engineId: fc.constant(engineId),
    failures: fc.integer({ min: 1, max: 5 }),
    retryAtMs: fc.integer({ min: NOW - 10_000, max: NOW + 10_000 }),
    givenUp: fc.boolean(),
    lastError: fc.record({
      code: fc.constantFrom(...LORA_ERROR_CODES),
      message: fc.string({ maxLength: 20 }),
      atMs: fc.constant(NOW - 20_000),
    }),
  });

const inputArb: fc.Arbitrary<PlanInput> = fc
  .record({
    ids: fc.subarray(IDS, { minLength: 0 }),
    instances: fc.subarray([...IDS, 'gone']),
    attemptIds: fc.subarray(IDS),
    inFlight: fc.subarray([...IDS, 'gone']),
    unloadingPick: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    replicas: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    policy: fc.constantFrom(...PLACEMENT_POLICIES),
    rank: fc.option(fc.constantFrom(8, 16, 32), { nil: undefined }),
    deleting: fc.boolean(),
    random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .chain((r) =>
    fc
      .record({
        engines: fc.tuple(...r.ids.map(engineArb)),
        attempts: fc.tuple(...r.attemptIds.map(attemptArb)),
      })
      .map(({ engines, attempts }) => ({
        want: aWant({ replicas: r.replicas, policy: r.policy, rank: r.rank, deleting: r.deleting }),
        engines,
        observed: {
          instances: r.instances,
          attempts: new Map(attempts.map((a) => [a.engineId, a])),
          inFlight: new Set(r.inFlight),
          unloading: new Set(r.inFlight.filter((_, i) => r.unloadingPick[i] === true)),
        },
        nowMs: NOW,
        random: r.random,
      })),
  );

describe('planAdapter properties', () => {
  it('places only where it may, within replicas, one action per engine, deterministically', () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 1_000 }), (input, seed) => {
        const plan = planAdapter(input);
        const byId = new Map(input.engines.map((e) => [e.id, e]));
        const candidates = new Set(
          adapterCandidates(input.want, input.engines, input.observed.attempts, input.nowMs).map(
            (e) => e.id,
          ),
        );
        const instances = new Set(input.observed.instances);
        const holds = (id: string): boolean => byId.get(id)?.loaded.includes(ADAPTER) ?? false;

        // desired ⊆ candidates ∪ instances, widened by what is already there or on its way.
        for (const id of plan.desired) {
          expect(
            candidates.has(id) || instances.has(id) || input.observed.inFlight.has(id) || holds(id),
          ).toBe(true);
          expect(byId.get(id)?.ready).toBe(true);
        }
        if (input.want.replicas !== undefined)
          expect(plan.desired.length).toBeLessThanOrEqual(input.want.replicas);
        if (input.want.deleting) expect(plan.desired).toEqual([]);

        const acted = plan.actions.map((a) => a.engineId);
        expect(new Set(acted).size).toBe(acted.length);
        for (const action of plan.actions) {
          const engine = byId.get(action.engineId);
          expect(engine?.ready).toBe(true);
          expect(engine?.node).toBe(action.node);
          expect(input.observed.inFlight.has(action.engineId)).toBe(false);
          if (action.kind === 'load') {
            expect(plan.desired).toContain(action.engineId);
            // A new load goes only where it fits, or where the adapter already is (adoption).
            if (!instances.has(action.engineId))
              expect(candidates.has(action.engineId) || holds(action.engineId)).toBe(true);
          } else {
            expect(plan.desired).not.toContain(action.engineId);
          }
        }

        // Deterministic: the same input, and the engines in another order, give the same plan.
        expect(planAdapter(input)).toEqual(plan);
        const shuffled = shuffle(input.engines, seed);
        const again = planAdapter({ ...input, engines: shuffled });
        expect(again.desired).toEqual(plan.desired);
        expect(again.candidates).toEqual(plan.candidates);
        expect(sortedActions(again)).toEqual(sortedActions(plan));
        expect(again.phase).toBe(plan.phase);
      }),
      { numRuns: 300 },
    );
  });
});

function sortedActions(plan: ReturnType<typeof planAdapter>): string[] {
  return plan.actions.map((a) => `${a.kind}:${a.engineId}`).sort();
}

function shuffle<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
