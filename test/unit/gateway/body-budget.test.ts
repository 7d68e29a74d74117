import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../../src/gateway/index.js';

describe('BodyBudget', () => {
  it('gives bytes while they fit and refuses past the maximum, taking nothing then', () => {
    const budget = new BodyBudget(1000);
    const a = budget.lease();
    const b = budget.lease();
    expect(a.grow(600)).toBe(true);
    expect(b.grow(500)).toBe(false);
    expect(budget.inUseBytes).toBe(600);
    expect(b.grow(400)).toBe(true);
    expect(budget.inUseBytes).toBe(1000);
  });

  it('gives back everything a lease took, once', () => {
    const budget = new BodyBudget(1000);
    const a = budget.lease();
    a.grow(300);
    a.grow(200);
    const b = budget.lease();
    b.grow(100);
    a.release();
    a.release();
    expect(budget.inUseBytes).toBe(100);
    expect(a.grow(1)).toBe(false);
    b.release();
    expect(budget.inUseBytes).toBe(0);
  });
});
