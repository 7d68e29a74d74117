import { describe, expect, it } from 'vitest';
import { matchesSelector, type LabelSelector } from '../../../src/discovery/index.js';

const POD = { app: 'vllm', tier: 'gpu', zone: 'a' };

describe('matchesSelector', () => {
  const cases: {
    name: string;
    selector: LabelSelector;
    labels?: Record<string, string>;
    want: boolean;
  }[] = [
    { name: 'empty selector matches all', selector: {}, want: true },
    { name: 'empty selector matches an unlabelled engine', selector: {}, labels: {}, want: true },
    {
      name: 'matchLabels all equal',
      selector: { matchLabels: { app: 'vllm', tier: 'gpu' } },
      want: true,
    },
    {
      name: 'matchLabels one differs',
      selector: { matchLabels: { app: 'vllm', tier: 'cpu' } },
      want: false,
    },
    { name: 'matchLabels key missing', selector: { matchLabels: { role: 'x' } }, want: false },
    {
      name: 'In holds',
      selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
      want: true,
    },
    {
      name: 'In value outside the set',
      selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'c'] }] },
      want: false,
    },
    {
      name: 'In on a missing key',
      selector: { matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] },
      want: false,
    },
    {
      name: 'NotIn value in the set',
      selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      want: false,
    },
    {
      name: 'NotIn value outside the set',
      selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] },
      want: true,
    },
    {
      name: 'NotIn on a missing key holds',
      selector: { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['a'] }] },
      want: true,
    },
    {
      name: 'Exists',
      selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      want: true,
    },
    {
      name: 'Exists missing',
      selector: { matchExpressions: [{ key: 'rack', operator: 'Exists' }] },
      want: false,
    },
    {
      name: 'DoesNotExist missing',
      selector: { matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] },
      want: true,
    },
    {
      name: 'DoesNotExist present',
      selector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      want: false,
    },
    {
      name: 'matchLabels AND expressions: both hold',
      selector: {
        matchLabels: { app: 'vllm' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'rack', operator: 'DoesNotExist' },
        ],
      },
      want: true,
    },
    {
      name: 'matchLabels AND expressions: one expression fails',
      selector: {
        matchLabels: { app: 'vllm' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'tier', operator: 'DoesNotExist' },
        ],
      },
      want: false,
    },
    {
      name: 'matchLabels AND expressions: label fails',
      selector: {
        matchLabels: { app: 'sglang' },
        matchExpressions: [{ key: 'zone', operator: 'Exists' }],
      },
      want: false,
    },
    {
      name: 'an inherited property is not a label',
      selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      want: false,
    },
  ];

  it.each(cases)('$name', ({ selector, labels, want }) => {
    expect(matchesSelector(labels ?? POD, selector)).toBe(want);
  });

  it('selects nothing on an unknown operator instead of everything', () => {
    const selector = {
      matchExpressions: [{ key: 'zone', operator: 'Equals', values: ['a'] }],
    } as unknown as LabelSelector;
    expect(matchesSelector(POD, selector)).toBe(false);
  });
});
