import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../../src/leader/turn-queue.js';
import { ManualClock } from '../../helpers/manual-clock.js';

/** A queue whose handler costs `costMs` of the manual clock per item, with turns run by hand. */
function aQueue(costMs: number, limits = { budgetMs: 4, maxItems: 1000 }) {
  const clock = new ManualClock();
  const handled: number[] = [];
  const turns: (() => void)[] = [];
  const queue = new TurnQueue<number>(
    (n) => {
      handled.push(n);
      clock.advance(costMs);
    },
    limits,
    clock,
    (run) => turns.push(run),
  );
  /** Runs the turn scheduled next; false when none is. */
  const nextTurn = (): boolean => {
    const run = turns.shift();
    run?.();
    return run !== undefined;
  };
  return { queue, handled, nextTurn, turns };
}

describe('TurnQueue', () => {
  it('handles nothing at push; each later turn handles about its budget, in arrival order', () => {
    const { queue, handled, nextTurn, turns } = aQueue(1);
    for (let i = 0; i < 10; i++) queue.push(i);
    expect(handled).toEqual([]);
    expect(turns).toHaveLength(1); // one turn scheduled for the whole burst
    nextTurn();
    expect(handled).toEqual([0, 1, 2, 3]);
    nextTurn();
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    nextTurn();
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(nextTurn()).toBe(false);
    expect(queue.takeBusyMs()).toBe(10);
    expect(queue.takeBusyMs()).toBe(0);
  });

  it('handles at least one item a turn, however slow', () => {
    const { queue, handled, nextTurn } = aQueue(50);
    queue.push(1);
    queue.push(2);
    nextTurn();
    expect(handled).toEqual([1]);
    nextTurn();
    expect(handled).toEqual([1, 2]);
  });

  it('flush handles everything waiting at once; the turn already scheduled then finds nothing', () => {
    const { queue, handled, nextTurn } = aQueue(1);
    for (let i = 0; i < 6; i++) queue.push(i);
    queue.flush();
    expect(handled).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.size).toBe(0);
    nextTurn();
    expect(handled).toHaveLength(6);
    queue.push(6);
    nextTurn();
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('past its bound a push handles everything rather than hold more', () => {
    const { queue, handled } = aQueue(1, { budgetMs: 4, maxItems: 3 });
    for (let i = 0; i < 3; i++) queue.push(i);
    expect(handled).toEqual([]);
    queue.push(3);
    expect(handled).toEqual([0, 1, 2, 3]);
  });

  it('whatever the pushes, flushes and turns, every item is handled once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('push', 'flush', 'turn'), { maxLength: 300 }),
        fc.integer({ min: 0, max: 3 }),
        (ops, cost) => {
          const { queue, handled, nextTurn } = aQueue(cost, { budgetMs: 4, maxItems: 40 });
          let pushed = 0;
          for (const op of ops) {
            if (op === 'push') queue.push(pushed++);
            else if (op === 'flush') queue.flush();
            else nextTurn();
          }
          while (nextTurn());
          expect(handled).toEqual(Array.from({ length: pushed }, (_, i) => i));
        },
      ),
    );
  });
});
