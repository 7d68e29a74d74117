import { describe, expect, it } from 'vitest';
import { LoraIdMap, adapterHashSeed } from '../../../src/kvcache/index.js';

const seed = (name: string): number => adapterHashSeed(name);

describe('LoraIdMap (vLLM lora_int_id → adapter name)', () => {
  it('numbers static adapters 1..n, then loads in order, ids taken by refused loads too', () => {
    const map = new LoraIdMap({ staticAdapters: ['s1', 's2'], counterKnown: true });
    map.loadAnswered('a', 'loaded'); // 3
    map.loadAnswered('dup', 'refused-before-id'); // no id
    map.loadAnswered('missing', 'refused-after-id'); // 4 used up
    map.loadAnswered('b', 'loaded'); // 5
    expect([1, 2, 3, 4, 5].map((id) => map.nameOf(id))).toEqual(['s1', 's2', 'a', undefined, 'b']);
    expect(map.seedFor(3)).toBe(seed('a'));
    expect(map.seedFor(5)).toBe(seed('b'));
    expect(map.seedFor(1)).toBe(seed('s1'));
    expect(map.seedFor(4)).toBeUndefined();
    expect(map.counters.unknownIds).toBe(1);
  });

  it('keeps an unloaded adapter’s id (vLLM never reuses one) and binds a reload to a new id', () => {
    const map = new LoraIdMap({ counterKnown: true });
    map.loadAnswered('a', 'loaded'); // 1
    // Unload: the agent tells the map nothing; blocks of id 1 still are a's.
    map.loadAnswered('a', 'loaded'); // reload: 2
    expect(map.seedFor(1)).toBe(seed('a'));
    expect(map.seedFor(2)).toBe(seed('a'));
    expect(map.binds('a')).toBe(true);
  });

  it('starts again from the static adapters after a restart', () => {
    const map = new LoraIdMap({ staticAdapters: ['s'], counterKnown: true });
    map.loadAnswered('a', 'loaded'); // 2
    map.restarted();
    expect(map.seedFor(2)).toBeUndefined(); // a is gone with the old process
    expect(map.counters.counterLost).toBe(1); // and id 2 was past the new count
    map.restarted();
    map.loadAnswered('b', 'loaded'); // 2 again, now b
    expect(map.seedFor(2)).toBe(seed('b'));
    expect(map.seedFor(1)).toBe(seed('s'));
  });

  it('a load without an answer loses the counter: earlier bindings stay, later ones are unknown', () => {
    const map = new LoraIdMap({ counterKnown: true });
    map.loadAnswered('a', 'loaded'); // 1
    map.loadAnswered('b', 'unknown'); // 2 or nothing
    map.loadAnswered('c', 'loaded'); // 2 or 3: not bound
    expect(map.counterKnown).toBe(false);
    expect(map.seedFor(1)).toBe(seed('a'));
    expect(map.seedFor(2)).toBeUndefined();
    expect(map.seedFor(3)).toBeUndefined();
    expect(map.binds('c')).toBe(false);
    map.restarted();
    expect(map.counterKnown).toBe(true);
  });

  it('an id past the count proves it wrong: runtime bindings go, static ones stay', () => {
    // The agent assumed a fresh counter, but someone loaded and unloaded x (id 2) before.
    const map = new LoraIdMap({ staticAdapters: ['s'], counterKnown: true });
    map.loadAnswered('a', 'loaded'); // the agent thinks 2; the engine gave 3
    expect(map.seedFor(3)).toBeUndefined();
    expect(map.counterKnown).toBe(false);
    expect(map.seedFor(2)).toBeUndefined(); // no longer bound to a
    expect(map.seedFor(1)).toBe(seed('s'));
  });

  it('an unknown counter binds nothing until a restart', () => {
    const map = new LoraIdMap({ counterKnown: false });
    map.loadAnswered('a', 'loaded');
    expect(map.seedFor(1)).toBeUndefined();
    expect(map.binds('a')).toBe(false);
  });

  it('remembers at most maxIds runtime ids, the oldest going first', () => {
    const map = new LoraIdMap({ counterKnown: true, maxIds: 2 });
    for (const name of ['a', 'b', 'c']) map.loadAnswered(name, 'loaded');
    expect([1, 2, 3].map((id) => map.nameOf(id))).toEqual([undefined, 'b', 'c']);
  });
});
