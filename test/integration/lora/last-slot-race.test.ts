/**
 * The last-slot race (issue #13): two adapters placed on an engine with one free slot, from the
 * same report, both load there; the real simulator (--max-cpu-loras 1) refuses the second with
 * vLLM's "No free adapter slots.", the agent's manager maps it to the retriable LORA_NO_SLOT and
 * re-reads the engine, and the controller's plan puts the loser on the other engine at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineReport } from '../../../src/protocol/index.js';
import {
  planAdapter,
  recordAttempt,
  type EngineAttempt,
  type EngineSlot,
} from '../../../src/lora/index.js';
import { AppError } from '../../../src/shared/index.js';
import { aPlanInput, aWant } from '../../helpers/lora-builders.js';
import { peftConfig, startLoraHarness, type LoraHarness } from '../../helpers/lora-harness.js';

let h: LoraHarness;
beforeEach(async () => {
  h = await startLoraHarness();
});
afterEach(async () => {
  await h.close();
});

/** The engines as the leader's placement sees them from the agent's reports. */
function slotsOf(reports: readonly EngineReport[]): EngineSlot[] {
  return reports.map((r) => ({
    id: r.id,
    node: r.id,
    model: 'base',
    labels: { app: 'vllm' },
    ready: true,
    maxLoras: r.metrics?.scrape.lora?.maxLoras ?? 0,
    maxLoraRank: 16,
    loaded: r.adapters,
    load: 0,
  }));
}

describe('two adapters racing for an engine’s last slot', () => {
  it('the loser gets LORA_NO_SLOT and is placed on another engine at once', async () => {
    await h.addSim('e1', { maxLoras: 1, maxCpuLoras: 1 });
    await h.addSim('e2', { maxLoras: 1, maxCpuLoras: 1 });
    const uris = {
      a: await h.writeAdapter('a', peftConfig(8)),
      b: await h.writeAdapter('b', peftConfig(8)),
    };
    const engines = slotsOf(await h.cycles(1));
    expect(engines.map((e) => [e.id, e.maxLoras, e.loaded])).toEqual([
      ['n/e1', 1, []],
      ['n/e2', 1, []],
    ]);
    // Both plans come from the same view: each adapter sees e1's free slot.
    const firstPlans = (['a', 'b'] as const).map((name) =>
      planAdapter(
        aPlanInput({ want: aWant({ name, key: `default/${name}`, replicas: 1 }), engines }),
      ),
    );
    for (const plan of firstPlans)
      expect(plan.actions).toEqual([{ kind: 'load', engineId: 'n/e1', node: 'n/e1' }]);

    const outcomes = await Promise.allSettled(
      (['a', 'b'] as const).map((name) =>
        h.manager.load({ adapter: name, engineId: 'n/e1', artifactUrl: uris[name] }, h.context()),
      ),
    );
    const won = outcomes.findIndex((o) => o.status === 'fulfilled');
    const lost = outcomes.findIndex((o) => o.status === 'rejected');
    expect([won, lost].sort()).toEqual([0, 1]);
    const loser = (['a', 'b'] as const)[lost]!;
    const refusal = (outcomes[lost] as PromiseRejectedResult).reason as unknown;
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('LORA_NO_SLOT');
    expect((refusal as AppError).message).toContain('No free adapter slots.');

    // The controller records the outcome; its next plan, still on the stale view, moves on.
    const attempts: ReadonlyMap<string, EngineAttempt> = recordAttempt(
      new Map(),
      'n/e1',
      { ok: false, code: 'LORA_NO_SLOT', message: (refusal as AppError).message },
      1_000_000,
    );
    const want = aWant({ name: loser, key: `default/${loser}`, replicas: 1 });
    const next = planAdapter(
      aPlanInput({ want, engines, observed: { instances: [], attempts, inFlight: new Set() } }),
    );
    expect(next.actions).toEqual([{ kind: 'load', engineId: 'n/e2', node: 'n/e2' }]);

    // The agent re-read e1 after the refusal: its next report shows the slot taken.
    const refreshed = slotsOf(await h.cycles(1));
    expect(refreshed.find((e) => e.id === 'n/e1')?.loaded).toEqual([(['a', 'b'] as const)[won]]);
    const later = planAdapter(
      aPlanInput({
        want,
        engines: refreshed,
        observed: { instances: [], attempts, inFlight: new Set() },
        nowMs: 1_000_000 + 3_600_000,
      }),
    );
    expect(later.actions).toEqual([{ kind: 'load', engineId: 'n/e2', node: 'n/e2' }]);
    await h.manager.load(
      { adapter: loser, engineId: 'n/e2', artifactUrl: uris[loser] },
      h.context(),
    );
    expect(slotsOf(await h.cycles(1)).map((e) => e.loaded)).toEqual([
      [(['a', 'b'] as const)[won]],
      [loser],
    ]);
  });
});
