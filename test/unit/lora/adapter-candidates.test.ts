import { describe, expect, it } from 'vitest';
import { adapterCandidates, engineFit, type EngineFit } from '../../../src/lora/index.js';
import { ADAPTER, aWant, anEngine, holding } from '../../helpers/lora-builders.js';

const NOW = 100_000;
const GAVE_UP = new Map([['e', { engineId: 'e', failures: 5, retryAtMs: 0, givenUp: true }]]);
const noSlotUntil = (retryAtMs: number): typeof GAVE_UP =>
  new Map([['e', { engineId: 'e', failures: 1, retryAtMs, givenUp: false, noSlot: true }]]);

describe('engineFit', () => {
  const cases: {
    name: string;
    engine: ReturnType<typeof anEngine>;
    want?: ReturnType<typeof aWant>;
    attempts?: typeof GAVE_UP;
    fit: EngineFit;
  }[] = [
    { name: 'ready engine with a free slot', engine: anEngine('e', 'n'), fit: 'candidate' },
    { name: 'unready engine', engine: anEngine('e', 'n', { ready: false }), fit: 'unready' },
    {
      name: 'labels outside the podSelector',
      engine: anEngine('e', 'n', { labels: { app: 'sglang' } }),
      fit: 'selectorMismatch',
    },
    {
      name: 'another base model',
      engine: anEngine('e', 'n', { model: 'other' }),
      fit: 'baseModelMismatch',
    },
    {
      name: 'any base model when baseModel is unset',
      engine: anEngine('e', 'n', { model: 'other' }),
      want: aWant({ baseModel: undefined }),
      fit: 'candidate',
    },
    {
      name: 'maxLoras 0 cannot host',
      engine: anEngine('e', 'n', { maxLoras: 0 }),
      fit: 'loraDisabled',
    },
    {
      name: 'every slot used by others',
      engine: anEngine('e', 'n', { maxLoras: 2, loaded: ['a', 'b'] }),
      fit: 'slotsFull',
    },
    {
      name: 'one slot left',
      engine: anEngine('e', 'n', { maxLoras: 2, loaded: ['a'] }),
      fit: 'candidate',
    },
    {
      name: 'slots full but one holds this adapter',
      engine: holding(anEngine('e', 'n', { maxLoras: 2 }), 'a'),
      fit: 'candidate',
    },
    {
      name: 'rank above the engine limit',
      engine: anEngine('e', 'n', { maxLoraRank: 8 }),
      want: aWant({ rank: 16 }),
      fit: 'rankTooHigh',
    },
    {
      name: 'rank at the engine limit',
      engine: anEngine('e', 'n', { maxLoraRank: 16 }),
      want: aWant({ rank: 16 }),
      fit: 'candidate',
    },
    {
      name: 'rank not known yet',
      engine: anEngine('e', 'n', { maxLoraRank: 8 }),
      want: aWant({ rank: undefined }),
      fit: 'candidate',
    },
    {
      name: 'given up on in attempts',
      engine: anEngine('e', 'n'),
      attempts: GAVE_UP,
      fit: 'givenUp',
    },
    {
      name: 'answered "no free slot" and its retry is not due (report may be stale)',
      engine: anEngine('e', 'n', { maxLoras: 2, loaded: ['a'] }),
      attempts: noSlotUntil(NOW + 1),
      fit: 'slotsFull',
    },
    {
      name: 'answered "no free slot" and its retry is due, report shows room',
      engine: anEngine('e', 'n', { maxLoras: 2, loaded: ['a'] }),
      attempts: noSlotUntil(NOW),
      fit: 'candidate',
    },
    {
      name: 'answered "no free slot" but lists this adapter now',
      engine: holding(anEngine('e', 'n', { maxLoras: 2 }), ADAPTER),
      attempts: noSlotUntil(NOW + 1),
      fit: 'candidate',
    },
  ];
  it.each(cases)('$name → $fit', ({ engine, want, attempts, fit }) => {
    expect(engineFit(engine, want ?? aWant(), attempts ?? new Map(), NOW)).toBe(fit);
  });
});

describe('adapterCandidates', () => {
  it('keeps only candidates, sorted by id', () => {
    const engines = [
      anEngine('c', 'n1'),
      anEngine('a', 'n2', { ready: false }),
      anEngine('b', 'n2', { loaded: [ADAPTER] }),
      anEngine('d', 'n3', { maxLoras: 0 }),
      anEngine('aa', 'n3'),
    ];
    expect(adapterCandidates(aWant(), engines, new Map(), NOW).map((e) => e.id)).toEqual([
      'aa',
      'b',
      'c',
    ]);
  });
});
