import { describe, expect, it } from 'vitest';
import {
  planAdapter,
  recordAttempt,
  LORA_RETRY,
  type EngineAttempt,
  type PlanInput,
} from '../../../src/lora/index.js';
import {
  ADAPTER,
  aPlanInput,
  aWant,
  anEngine,
  holding,
  observed,
} from '../../helpers/lora-builders.js';

const NOW = 1_000_000;
const four = [
  anEngine('e1', 'n1'),
  anEngine('e2', 'n1'),
  anEngine('e3', 'n2'),
  anEngine('e4', 'n3'),
];

function actionsOf(input: PlanInput): string[] {
  return planAdapter(input).actions.map((a) => `${a.kind}:${a.engineId}`);
}

function condition(input: PlanInput, type: string) {
  return planAdapter(input).conditions.find((c) => c.type === type);
}

describe('planAdapter: engine faults', () => {
  it('engine restart (it no longer lists the adapter): reloads at once on the same engine', () => {
    const engines = [anEngine('e1', 'n1'), anEngine('e2', 'n2')];
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines,
      observed: observed({ instances: ['e1'] }),
    });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([{ kind: 'load', engineId: 'e1', node: 'n1' }]);
    expect(plan.desired).toEqual(['e1']);
    expect(condition(input, 'Degraded')).toMatchObject({ status: 'True', reason: 'Reloading' });
  });

  it.each([
    ['gone', [anEngine('e2', 'n2'), anEngine('e3', 'n3')]],
    [
      'unready',
      [holding(anEngine('e1', 'n1', { ready: false })), anEngine('e2', 'n2'), anEngine('e3', 'n3')],
    ],
  ])('engine %s: replaced on another candidate, nothing sent to it', (_name, engines) => {
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines,
      observed: observed({ instances: ['e1'] }),
    });
    expect(actionsOf(input)).toEqual(['load:e2']);
    expect(planAdapter(input).desired).toEqual(['e2']);
  });

  it('retry schedule: waits on the same engine 5 times, then moves to another candidate', () => {
    const engines = [anEngine('e1', 'n1'), anEngine('e2', 'n2', { load: 1 })];
    const want = aWant({ replicas: 1, policy: 'leastLoad' });
    let attempts: ReadonlyMap<string, EngineAttempt> = new Map();
    let now = NOW;
    const tried: string[] = [];
    const requeues: (number | undefined)[] = [];
    for (let step = 0; step < 12 && tried.length < 7; step++) {
      const plan = planAdapter({
        want,
        engines,
        observed: { instances: [], attempts, inFlight: new Set() },
        nowMs: now,
        random: 0,
      });
      requeues.push(plan.requeueAfterMs);
      const load = plan.actions.find((a) => a.kind === 'load');
      if (load === undefined) {
        // Waiting: the next reconcile comes when the plan says.
        expect(plan.requeueAfterMs).toBeGreaterThan(0);
        now += plan.requeueAfterMs ?? 0;
        continue;
      }
      tried.push(load.engineId);
      attempts = recordAttempt(
        attempts,
        load.engineId,
        { ok: false, code: 'LORA_ENGINE_UNAVAILABLE', message: 'timeout' },
        now,
      );
    }
    expect(tried).toEqual(['e1', 'e1', 'e1', 'e1', 'e1', 'e2', 'e2']);
    expect(requeues.filter((r) => r !== undefined)).toEqual([5_000, 10_000, 20_000, 40_000, 5_000]);
    expect(attempts.get('e1')).toMatchObject({ failures: LORA_RETRY.maxTries, givenUp: true });
  });

  it('while waiting for its retry an engine is not loaded; phase Pending with the error named', () => {
    const attempts = recordAttempt(
      new Map(),
      'e1',
      { ok: false, code: 'LORA_ARTIFACT_FAILED', message: '403 from s3' },
      NOW,
    );
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines: [anEngine('e1', 'n1'), anEngine('e2', 'n2')],
      observed: { instances: [], attempts, inFlight: new Set() },
      nowMs: NOW + 1_000,
    });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(4_000);
    expect(plan.phase).toBe('Pending');
    expect(condition(input, 'Ready')).toMatchObject({ status: 'False', reason: 'RetryWaiting' });
    expect(condition(input, 'Ready')?.message).toContain(
      'e1: LORA_ARTIFACT_FAILED: 403 from s3 (try 1)',
    );
  });

  it('one replica ready, the other failing: Running, Degraded names the failing engine and its error', () => {
    const attempts = recordAttempt(
      new Map(),
      'e2',
      { ok: false, code: 'LORA_ENGINE_UNAVAILABLE', message: 'connect ECONNREFUSED' },
      NOW,
    );
    const input = aPlanInput({
      want: aWant({ replicas: 2 }),
      engines: [holding(anEngine('e1', 'n1')), anEngine('e2', 'n2')],
      observed: { instances: ['e1'], attempts, inFlight: new Set() },
    });
    const plan = planAdapter(input);
    expect(plan.phase).toBe('Running');
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(5_000);
    expect([plan.readyReplicas, plan.desiredReplicas]).toEqual([1, 2]);
    expect(condition(input, 'Degraded')).toMatchObject({ status: 'True', reason: 'LoadFailing' });
    expect(condition(input, 'Degraded')?.message).toBe(
      '1 of 2 ready: e2: LORA_ENGINE_UNAVAILABLE: connect ECONNREFUSED (try 1)',
    );
  });

  it('rank too high on one engine: gives up there only and loads on another', () => {
    const engines = [anEngine('e1', 'n1'), anEngine('e2', 'n2')];
    const attempts = recordAttempt(
      new Map(),
      'e1',
      { ok: false, code: 'LORA_RANK_TOO_HIGH', message: 'rank 64 > 16' },
      NOW,
    );
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines,
      observed: { instances: [], attempts, inFlight: new Set() },
    });
    expect(actionsOf(input)).toEqual(['load:e2']);
  });

  it('no free slot on one engine (the last-slot race): loads on another at once, not given up', () => {
    const engines = [
      anEngine('e1', 'n1', { maxLoras: 2, loaded: ['other'] }),
      anEngine('e2', 'n2'),
    ];
    const attempts = recordAttempt(
      new Map(),
      'e1',
      { ok: false, code: 'LORA_NO_SLOT', message: 'No free adapter slots.' },
      NOW,
    );
    expect(attempts.get('e1')).toMatchObject({ givenUp: false, noSlot: true });
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      // e1's report still shows a free slot: it predates the load that took it.
      engines,
      observed: { instances: [], attempts, inFlight: new Set() },
      nowMs: NOW + 1,
    });
    expect(actionsOf(input)).toEqual(['load:e2']);
  });

  it('no free slot on the only engine: Pending NoFreeSlot, retried there when its wait is over', () => {
    const engines = [anEngine('e1', 'n1', { maxLoras: 2, loaded: ['other'] })];
    const attempts = recordAttempt(
      new Map(),
      'e1',
      { ok: false, code: 'LORA_NO_SLOT', message: 'No free adapter slots.' },
      NOW,
    );
    const waiting = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines,
      observed: { instances: [], attempts, inFlight: new Set() },
      nowMs: NOW + 1_000,
    });
    const plan = planAdapter(waiting);
    expect(plan.actions).toEqual([]);
    expect(plan.phase).toBe('Pending');
    expect(plan.requeueAfterMs).toBe(4_000);
    expect(condition(waiting, 'Scheduled')).toMatchObject({
      status: 'False',
      reason: 'NoFreeSlot',
    });
    expect(actionsOf({ ...waiting, nowMs: NOW + 5_000 })).toEqual(['load:e1']);
  });

  it('bad adapter: no load anywhere, phase Failed with the reason', () => {
    const attempts = recordAttempt(
      new Map(),
      'e1',
      { ok: false, code: 'LORA_BAD_ADAPTER', message: 'peft_type is not LORA' },
      NOW,
    );
    const input = aPlanInput({
      engines: four,
      observed: { instances: [], attempts, inFlight: new Set() },
    });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([]);
    expect(plan.phase).toBe('Failed');
    expect(condition(input, 'Ready')).toMatchObject({ status: 'False', reason: 'AdapterInvalid' });
    expect(condition(input, 'Ready')?.message).toContain('LORA_BAD_ADAPTER: peft_type is not LORA');
  });

  it('every engine given up: Failed, naming each engine and its error', () => {
    let attempts: ReadonlyMap<string, EngineAttempt> = new Map();
    for (const id of ['e1', 'e2'])
      attempts = recordAttempt(
        attempts,
        id,
        { ok: false, code: 'LORA_ENGINE_REFUSED', message: `no ${id}` },
        NOW,
      );
    const input = aPlanInput({
      engines: [anEngine('e1', 'n1'), anEngine('e2', 'n2')],
      observed: { instances: [], attempts, inFlight: new Set() },
    });
    const plan = planAdapter(input);
    expect(plan.phase).toBe('Failed');
    expect(plan.conditions[0]).toMatchObject({
      type: 'Scheduled',
      status: 'False',
      reason: 'AllEnginesGivenUp',
    });
    expect(plan.conditions[0]?.message).toContain(
      'e1: LORA_ENGINE_REFUSED: no e1 (gave up after 1 try); e2: LORA_ENGINE_REFUSED: no e2',
    );
  });

  it.each([
    ['no engine at all', 'Pending', 'NoEngines', []],
    ['no engine matches', 'Failed', 'NoMatchingEngine', [anEngine('e1', 'n1', { model: 'other' })]],
    [
      'matching engines not ready',
      'Pending',
      'NoReadyEngine',
      [anEngine('e1', 'n1', { ready: false })],
    ],
    ['slots full', 'Pending', 'NoFreeSlot', [anEngine('e1', 'n1', { maxLoras: 1, loaded: ['x'] })]],
    [
      'rank above every engine',
      'Failed',
      'RankTooHigh',
      [anEngine('e1', 'n1', { maxLoraRank: 8 })],
    ],
    ['LoRA off everywhere', 'Failed', 'LoraDisabled', [anEngine('e1', 'n1', { maxLoras: 0 })]],
  ])('nowhere to go (%s): phase %s, reason %s', (_name, phase, reason, engines) => {
    const input = aPlanInput({ want: aWant({ rank: 32 }), engines });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([]);
    expect(plan.phase).toBe(phase);
    expect(plan.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Scheduled', 'False', reason],
      ['Ready', 'False', reason],
      ['Degraded', 'True', reason],
    ]);
  });
});

describe('planAdapter: deletion', () => {
  it('unloads from every instance and every engine listing it, then is finalized', () => {
    const want = aWant({ deleting: true });
    const engines = [
      holding(anEngine('e1', 'n1')),
      anEngine('e2', 'n2'),
      holding(anEngine('e3', 'n3')),
      anEngine('e4', 'n4'),
    ];
    const first = planAdapter(
      aPlanInput({ want, engines, observed: observed({ instances: ['e1', 'e2'] }) }),
    );
    expect(first.actions.map((a) => `${a.kind}:${a.engineId}`)).toEqual([
      'unload:e1',
      'unload:e2',
      'unload:e3',
    ]);
    expect(first.finalized).toBe(false);
    expect(first.desired).toEqual([]);

    const inFlight = planAdapter(
      aPlanInput({
        want,
        engines,
        observed: observed({ instances: ['e1', 'e2'], inFlight: ['e1', 'e2', 'e3'] }),
      }),
    );
    expect(inFlight.actions).toEqual([]);
    expect(inFlight.finalized).toBe(false);

    const unloaded = engines.map((e) => ({ ...e, loaded: [] }));
    const done = planAdapter(aPlanInput({ want, engines: unloaded, observed: observed() }));
    expect(done.actions).toEqual([]);
    expect(done.finalized).toBe(true);
    expect(done.conditions.every((c) => c.reason === 'Deleting')).toBe(true);
  });
});

describe('planAdapter: status', () => {
  it('keeps lastTransitionTime out of the conditions', () => {
    const plan = planAdapter(
      aPlanInput({
        engines: [holding(anEngine('e1', 'n1'))],
        observed: observed({ instances: ['e1'] }),
      }),
    );
    expect(plan.conditions.map((c) => c.type)).toEqual(['Scheduled', 'Ready', 'Degraded']);
    expect(plan.conditions.some((c) => 'lastTransitionTime' in c)).toBe(false);
    expect(plan.conditions[1]).toMatchObject({
      status: 'True',
      reason: 'AdapterLoaded',
      message: 'loaded on e1',
    });
  });

  it('uses the adapter name only through the engines listing it', () => {
    const other = anEngine('e1', 'n1', { loaded: ['not-' + ADAPTER] });
    expect(
      planAdapter(aPlanInput({ engines: [other], observed: observed({ instances: ['e1'] }) }))
        .readyReplicas,
    ).toBe(0);
  });
});
