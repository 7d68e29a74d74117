import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdOrder, compareIds } from '../../../src/console/engine-order.js';

const byId = (ids: readonly string[]) => ids.map((id) => ({ id }));
const sortedIds = (ids: readonly string[]) => [...ids].sort(compareIds);

describe('IdOrder', () => {
  it('equals a plain sort by id over any sequence of calls, as ids come and go', () => {
    const id = fc.constantFrom('node-0', 'node-1', 'node-10', 'node-2', 'Node-3', 'a', 'b', 'é');
    fc.assert(
      fc.property(fc.array(fc.array(id, { maxLength: 8 }), { maxLength: 12 }), (calls) => {
        const order = new IdOrder();
        for (const ids of calls) {
          const items = byId(ids);
          expect(order.sort(items).map((i) => i.id)).toEqual(sortedIds(ids));
          expect(items.map((i) => i.id)).toEqual(ids); // the input is left as it was
        }
      }),
    );
  });

  it('keeps each item (not a copy) and reuses the ranks while the ids stay the same', () => {
    const order = new IdOrder();
    const first = byId(['node-2', 'node-10', 'node-1']);
    expect(order.sort(first).map((i) => i.id)).toEqual(['node-1', 'node-10', 'node-2']);
    const again = byId(['node-10', 'node-1', 'node-2']);
    const sorted = order.sort(again);
    expect(sorted.map((i) => i.id)).toEqual(['node-1', 'node-10', 'node-2']);
    expect(sorted[0]).toBe(again[1]);
  });

  it('sorts an id that appears twice, even when the count matches the kept ranks', () => {
    const order = new IdOrder();
    order.sort(byId(['a', 'b']));
    expect(order.sort(byId(['b', 'b'])).map((i) => i.id)).toEqual(['b', 'b']);
    expect(order.sort(byId(['b', 'a', 'a'])).map((i) => i.id)).toEqual(['a', 'a', 'b']);
  });
});
