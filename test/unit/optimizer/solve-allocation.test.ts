import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  greedyAllocation,
  solveAllocation,
  type LpSolver,
  type ReplicaOption,
  type WorkloadSlice,
} from '../../../src/optimizer/index.js';
import { loadHighsSolver } from '../../../src/optimizer/adapters/index.js';

let highs: LpSolver;
beforeAll(async () => {
  highs = await loadHighsSolver();
}, 60_000);

const slice = (id: string, rps: number, inputTokens = 100, outputTokens = 100): WorkloadSlice => ({
  id,
  inputTokens,
  outputTokens,
  rps,
  requests: Math.round(rps * 60),
});

/** An option whose max rate per slice id comes from a table (0 / absent: cannot serve). */
const option = (
  id: string,
  costPerHour: number,
  rates: Record<string, number>,
  minReplicas = 0,
): ReplicaOption => ({
  id,
  gpu: id.toUpperCase(),
  costPerHour,
  minReplicas,
  maxRps: (s) => rates[s.id] ?? 0,
});

describe('solveAllocation', () => {
  // Big GPU: $4/h, 10 req/s of chat, 2 req/s of long summaries. Small GPU: $1/h, 5 and 0.25.
  // All on big: 10/10 + 2/2 = 2 replicas, $8. All on small: 10/5 + 2/0.25 = 10 replicas, $10.
  // Chat on small (2 × $1) + summaries on big (1 × $4) = $6: the mix beats either type alone.
  const big = option('big', 4, { chat: 10, long: 2 });
  const small = option('small', 1, { chat: 5, long: 0.25 });
  const slices = [slice('chat', 10), slice('long', 2, 8000, 500)];

  it('finds the mix that is cheaper than either GPU type alone', async () => {
    const mixed = await solveAllocation({ slices, options: [big, small], timeBudgetS: 5 }, highs);
    expect(mixed.method).toBe('ilp');
    expect(mixed.replicas).toEqual({ big: 1, small: 2 });
    expect(mixed.costPerHour).toBe(6);
    expect(mixed.assignments).toEqual([
      { sliceId: 'chat', optionId: 'small', share: 1 },
      { sliceId: 'long', optionId: 'big', share: 1 },
    ]);
    const onlyBig = await solveAllocation({ slices, options: [big], timeBudgetS: 5 }, highs);
    const onlySmall = await solveAllocation({ slices, options: [small], timeBudgetS: 5 }, highs);
    expect([onlyBig.costPerHour, onlySmall.costPerHour]).toEqual([8, 10]);
  });

  it('splits a slice across types to fill replicas where greedy rounds a whole one up', async () => {
    // 12 req/s; big serves 10 per $4 replica, small 2 per $1 replica.
    // Greedy (cheapest per req/s: big at $0.40) buys 2 big = $8; the ILP buys 1 big + 1 small = $5.
    const one = [slice('chat', 12)];
    const options = [option('big', 4, { chat: 10 }), option('small', 1, { chat: 2 })];
    const ilp = await solveAllocation({ slices: one, options, timeBudgetS: 5 }, highs);
    expect(ilp.replicas).toEqual({ big: 1, small: 1 });
    expect(ilp.costPerHour).toBe(5);
    const shares = Object.fromEntries(ilp.assignments.map((a) => [a.optionId, a.share]));
    expect(shares.big).toBeCloseTo(10 / 12, 6);
    expect(shares.small).toBeCloseTo(2 / 12, 6);
    expect(greedyAllocation(one, options, []).costPerHour).toBe(8);
  });

  it('sets apart a slice no GPU type can serve, with the reason, and still sizes the rest', async () => {
    const huge = slice('huge', 1, 200_000, 100);
    const result = await solveAllocation(
      { slices: [...slices, huge], options: [big, small], timeBudgetS: 5 },
      highs,
    );
    expect(result.method).toBe('ilp');
    expect(result.replicas).toEqual({ big: 1, small: 2 });
    expect(result.unservable).toEqual([
      {
        sliceId: 'huge',
        reason:
          'no GPU type meets the SLO for 200000 input / 100 output tokens (BIG, SMALL profiled)',
      },
    ]);
  });

  it('keeps every option at its floor when nothing is servable or there is no load', async () => {
    const floored = [option('big', 4, {}, 2), option('small', 1, {}, 0)];
    const result = await solveAllocation(
      { slices: [slice('x', 3)], options: floored, timeBudgetS: 5 },
      highs,
    );
    expect(result.method).toBe('floor');
    expect(result.replicas).toEqual({ big: 2, small: 0 });
    expect(result.unservable).toHaveLength(1);
    const idle = await solveAllocation({ slices: [], options: floored, timeBudgetS: 5 }, highs);
    expect(idle).toMatchObject({ method: 'floor', replicas: { big: 2, small: 0 }, unservable: [] });
  });

  it('honours a floor above what the load needs', async () => {
    const floored = [option('big', 4, { chat: 10, long: 2 }, 3), small];
    const result = await solveAllocation({ slices, options: floored, timeBudgetS: 5 }, highs);
    expect(result.replicas.big).toBe(3);
    // Three big replicas carry all of it (10/10 + 2/2 = 2 ≤ 3): no small one is bought.
    expect(result.replicas.small).toBe(0);
  });

  it('falls back to greedy, saying why, when the solver runs out of time', async () => {
    let budget = -1;
    const slow: LpSolver = {
      solve: (_text, timeLimitS) => {
        budget = timeLimitS;
        return Promise.resolve({ status: 'Time limit reached', values: {} });
      },
    };
    const result = await solveAllocation(
      { slices, options: [big, small], timeBudgetS: 0.25 },
      slow,
    );
    expect(budget).toBe(0.25);
    expect(result.method).toBe('greedy');
    expect(result.fallbackReason).toBe('solver status: Time limit reached');
    expect(result.replicas).toEqual({ big: 1, small: 2 });
  });

  it('falls back to greedy when the solver throws', async () => {
    const broken: LpSolver = {
      solve: () => Promise.reject(new Error('wasm trap')),
    };
    const result = await solveAllocation({ slices, options: [big, small], timeBudgetS: 1 }, broken);
    expect(result).toMatchObject({ method: 'greedy', fallbackReason: 'solver failed: wasm trap' });
  });

  it('is never dearer than greedy and always gives each option the capacity it is assigned', async () => {
    const rate = fc.double({ min: 0.05, max: 50, noNaN: true });
    const instance = fc.record({
      rps: fc.array(rate, { minLength: 1, maxLength: 8 }),
      options: fc.array(
        fc.record({
          cost: fc.integer({ min: 1, max: 10 }),
          rates: fc.array(rate, { minLength: 8, maxLength: 8 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(instance, async ({ rps, options }) => {
        const ss = rps.map((r, i) => slice(`s${i}`, r));
        const os = options.map((o, g) =>
          option(`g${g}`, o.cost, Object.fromEntries(o.rates.map((r, i) => [`s${i}`, r]))),
        );
        const ilp = await solveAllocation({ slices: ss, options: os, timeBudgetS: 5 }, highs);
        expect(ilp.method).toBe('ilp');
        expect(ilp.costPerHour).toBeLessThanOrEqual(
          greedyAllocation(ss, os, []).costPerHour + 1e-9,
        );
        for (const o of os) {
          const load = ilp.assignments
            .filter((a) => a.optionId === o.id)
            .reduce((sum, a) => {
              const s = ss.find((x) => x.id === a.sliceId)!;
              return sum + (a.share * s.rps) / o.maxRps(s);
            }, 0);
          expect(load).toBeLessThanOrEqual((ilp.replicas[o.id] ?? 0) + 1e-6);
        }
        for (const s of ss) {
          const served = ilp.assignments
            .filter((a) => a.sliceId === s.id)
            .reduce((t, a) => t + a.share, 0);
          expect(served).toBeCloseTo(1, 5);
        }
      }),
      { seed: 16, numRuns: 15 },
    );
  }, 120_000);
});
