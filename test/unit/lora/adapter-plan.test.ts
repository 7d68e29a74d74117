import { describe, expect, it } from 'vitest';
import { planAdapter, type PlanInput } from '../../../src/lora/index.js';
import { aPlanInput, aWant, anEngine, holding, observed } from '../../helpers/lora-builders.js';

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

describe('planAdapter: placement', () => {
  it('replicas unset: loads on every candidate', () => {
    const plan = planAdapter(aPlanInput({ engines: four }));
    expect(plan.desired).toEqual(['e1', 'e2', 'e3', 'e4']);
    // In the order chosen: one per node first.
    expect(plan.actions.map((a) => a.engineId)).toEqual(['e1', 'e3', 'e4', 'e2']);
    expect(plan.desiredReplicas).toBe(4);
    expect(plan.phase).toBe('Scheduled');
  });

  it('replicas N: spreads across nodes before doubling up on one', () => {
    const plan = planAdapter(aPlanInput({ want: aWant({ replicas: 3 }), engines: four }));
    expect(plan.desired).toEqual(['e1', 'e3', 'e4']);
    expect(plan.actions).toEqual([
      { kind: 'load', engineId: 'e1', node: 'n1' },
      { kind: 'load', engineId: 'e3', node: 'n2' },
      { kind: 'load', engineId: 'e4', node: 'n3' },
    ]);
  });

  it('stability: a placed adapter gets no actions on the same input, even when the policy would now choose elsewhere', () => {
    const engines = [
      holding(anEngine('e1', 'n1', { load: 50 }), 'x', 'y'),
      anEngine('e2', 'n2'),
      anEngine('e3', 'n3'),
    ];
    const input = aPlanInput({
      want: aWant({ replicas: 1, policy: 'leastLoad' }),
      engines,
      observed: observed({ instances: ['e1'] }),
    });
    const first = planAdapter(input);
    expect(first.actions).toEqual([]);
    expect(first.desired).toEqual(['e1']);
    expect(planAdapter(input)).toEqual(first);
    expect(first.phase).toBe('Running');
    expect(condition(input, 'Degraded')).toMatchObject({
      status: 'False',
      reason: 'AllReplicasReady',
    });
  });

  it('a load in flight counts as a replica on its way: nothing new is sent', () => {
    const input = aPlanInput({
      want: aWant({ replicas: 2 }),
      engines: four,
      observed: observed({ inFlight: ['e1', 'e3'] }),
    });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([]);
    expect(plan.desired).toEqual(['e1', 'e3']);
    expect(plan.phase).toBe('Scheduled');
  });

  it('an in-flight unload is a replica on its way out: its engine gets nothing and is not counted', () => {
    const engines = [
      holding(anEngine('e1', 'n1')),
      holding(anEngine('e2', 'n2')),
      holding(anEngine('e3', 'n3')),
    ];
    const input = aPlanInput({
      want: aWant({ replicas: 2 }),
      engines,
      observed: observed({ instances: ['e1', 'e2', 'e3'], inFlight: ['e3'], unloading: ['e3'] }),
    });
    expect(actionsOf(input)).toEqual([]);
    expect(planAdapter(input).desired).toEqual(['e1', 'e2']);
  });

  it('adopts engines that already list the adapter before loading anywhere new', () => {
    const engines = [
      anEngine('e1', 'n1'),
      holding(anEngine('e2', 'n2', { load: 100 })),
      anEngine('e3', 'n3'),
    ];
    expect(actionsOf(aPlanInput({ want: aWant({ replicas: 1 }), engines }))).toEqual(['load:e2']);
  });

  it.each([
    ['full slots', anEngine('e1', 'n1', { maxLoras: 1, loaded: ['other'] })],
    ['LoRA off', anEngine('e1', 'n1', { maxLoras: 0 })],
    ['rank too high', anEngine('e1', 'n1', { maxLoraRank: 8 })],
    ['other base model', anEngine('e1', 'n1', { model: 'other' })],
    ['not selected', anEngine('e1', 'n1', { labels: {} })],
  ])('skips an engine with %s', (_name, blocked) => {
    const input = aPlanInput({
      want: aWant({ rank: 16 }),
      engines: [blocked, anEngine('e2', 'n2')],
    });
    expect(planAdapter(input).candidates).toEqual(['e2']);
    expect(actionsOf(input)).toEqual(['load:e2']);
  });

  it('replicas above the candidates: places on all and says there are not enough', () => {
    const engines = [holding(anEngine('e1', 'n1')), anEngine('e2', 'n2')];
    const input = aPlanInput({
      want: aWant({ replicas: 4 }),
      engines,
      observed: observed({ instances: ['e1'] }),
    });
    const plan = planAdapter(input);
    expect(plan.actions).toEqual([{ kind: 'load', engineId: 'e2', node: 'n2' }]);
    expect(plan.phase).toBe('Running');
    expect(plan.desiredReplicas).toBe(4);
    expect(plan.readyReplicas).toBe(1);
    expect(condition(input, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'NotEnoughCandidates',
    });
    expect(condition(input, 'Degraded')?.message).toContain(
      '4 replicas wanted, 2 engines can hold it',
    );
  });

  it('scale N down: unloads the surplus from the node with most replicas, then the busiest engine', () => {
    const engines = [
      holding(anEngine('e1', 'n1', { load: 1 })),
      holding(anEngine('e2', 'n1', { load: 5 })),
      holding(anEngine('e3', 'n2', { load: 9 })),
      holding(anEngine('e4', 'n3', { load: 0 })),
    ];
    const input = aPlanInput({
      want: aWant({ replicas: 2 }),
      engines,
      observed: observed({ instances: ['e1', 'e2', 'e3', 'e4'] }),
    });
    const plan = planAdapter(input);
    expect(actionsOf(input)).toEqual(['unload:e2', 'unload:e3']);
    expect(plan.desired).toEqual(['e1', 'e4']);
  });

  it('unloads an instance the selector no longer picks and a stray holder beyond replicas', () => {
    const engines = [
      holding(anEngine('e1', 'n1', { labels: { app: 'other' } })),
      holding(anEngine('e2', 'n2')),
      holding(anEngine('e3', 'n3')),
    ];
    const input = aPlanInput({
      want: aWant({ replicas: 1 }),
      engines,
      observed: observed({ instances: ['e1', 'e2'] }),
    });
    expect(actionsOf(input)).toEqual(['unload:e1', 'unload:e3']);
    expect(planAdapter(input).desired).toEqual(['e2']);
  });
});
