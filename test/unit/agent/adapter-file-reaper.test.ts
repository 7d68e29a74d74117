import { describe, expect, it } from 'vitest';
import { AdapterFileReaper, type AdapterFilesUse } from '../../../src/agent/adapter-file-reaper.js';
import { AppError } from '../../../src/shared/index.js';

/** A node cache of uri → bytes; `inUse` uris refuse eviction as the NodeCache does. */
function fakeCache(entries: Record<string, number>) {
  const cached = new Map(Object.entries(entries));
  const inUse = new Set<string>();
  const evicted: string[] = [];
  return {
    cached,
    inUse,
    evicted,
    evict(uri: string): Promise<{ key: string; bytes: number }> {
      if (inUse.has(uri)) return Promise.reject(new AppError('WEIGHTS_IN_USE', `${uri} in use`));
      const bytes = cached.get(uri);
      if (bytes === undefined)
        return Promise.reject(new AppError('WEIGHTS_NOT_FOUND', `no model ${uri}`));
      cached.delete(uri);
      evicted.push(uri);
      return Promise.resolve({ key: uri, bytes });
    },
  };
}

/** A reaper whose view of what uses an adapter is `held` (names) and `listedBy` (name → engine). */
function reaperOver(cache: ReturnType<typeof fakeCache>, max = 16) {
  const held = new Set<string>();
  const listedBy = new Map<string, string>();
  const use = (name: string, _uri: string, except?: string): AdapterFilesUse => {
    if (held.has(name)) return 'held';
    const lister = listedBy.get(name);
    return lister !== undefined && lister !== except ? 'listed' : undefined;
  };
  return { reaper: new AdapterFileReaper({ cache, use, max }), held, listedBy };
}

describe('AdapterFileReaper', () => {
  it('frees unused files at once, and files only the dropping engine lists', async () => {
    const cache = fakeCache({ 'file:///a': 100, 'file:///b': 50 });
    const { reaper, listedBy } = reaperOver(cache);
    expect(await reaper.free('a', 'file:///a')).toBe(100);
    listedBy.set('b', 'n/e1');
    expect(await reaper.free('b', 'file:///b', 'n/e1')).toBe(50);
    expect(cache.cached.size).toBe(0);
    expect(reaper.waiting).toBe(0);
  });

  it('keeps files another engine’s report lists, and frees them on the sweep after it stops', async () => {
    const cache = fakeCache({ 'file:///a': 100 });
    const { reaper, listedBy } = reaperOver(cache);
    listedBy.set('a', 'n/e2');
    expect(await reaper.free('a', 'file:///a', 'n/e1')).toBe(0);
    expect(reaper.waiting).toBe(1);
    expect(await reaper.sweep()).toBe(0);
    expect(cache.cached.has('file:///a')).toBe(true);
    listedBy.delete('a');
    expect(await reaper.sweep()).toBe(100);
    expect(cache.evicted).toEqual(['file:///a']);
    expect(reaper.waiting).toBe(0);
  });

  it('leaves held files to the drop of their record: they do not wait', async () => {
    const cache = fakeCache({ 'file:///a': 100 });
    const { reaper, held } = reaperOver(cache);
    held.add('a');
    expect(await reaper.free('a', 'file:///a')).toBe(0);
    expect(reaper.waiting).toBe(0);
    expect(await reaper.sweep()).toBe(0);
    expect(cache.cached.size).toBe(1);
  });

  it('never frees files a load is using, and frees them by a sweep after the load failed', async () => {
    const cache = fakeCache({ 'file:///a': 100 });
    const { reaper } = reaperOver(cache);
    let finish!: (ok: boolean) => void;
    const loading = reaper.whileLoading('a', 'file:///a', async () => {
      const ok = await new Promise<boolean>((resolve) => (finish = resolve));
      if (!ok) throw new Error('engine refused');
    });
    // Another engine's unload of the same files while this load runs.
    expect(await reaper.free('a', 'file:///a', 'n/e1')).toBe(0);
    expect(await reaper.sweep()).toBe(0);
    finish(false);
    await expect(loading).rejects.toThrow('engine refused');
    expect(cache.cached.size).toBe(1);
    expect(reaper.waiting).toBe(1);
    expect(await reaper.sweep()).toBe(100);
  });

  it('does not queue the files of a load that ended held', async () => {
    const cache = fakeCache({ 'file:///a': 100 });
    const { reaper, held } = reaperOver(cache);
    const result = await reaper.whileLoading('a', 'file:///a', () => {
      held.add('a');
      return Promise.resolve('loaded');
    });
    expect(result).toBe('loaded');
    expect(reaper.waiting).toBe(0);
    expect(await reaper.sweep()).toBe(0);
  });

  it('tries files in use by a reader again on a later sweep, and forgets ones not cached', async () => {
    const cache = fakeCache({ 'file:///a': 100 });
    const { reaper } = reaperOver(cache);
    cache.inUse.add('file:///a');
    expect(await reaper.free('a', 'file:///a')).toBe(0);
    expect(await reaper.sweep()).toBe(0);
    expect(reaper.waiting).toBe(1);
    cache.inUse.delete('file:///a');
    expect(await reaper.sweep()).toBe(100);
    expect(await reaper.free('gone', 'file:///gone')).toBe(0);
    expect(reaper.waiting).toBe(0);
  });

  it('keeps at most `max` files waiting, forgetting the oldest', async () => {
    const cache = fakeCache({ 'file:///a': 1, 'file:///b': 2, 'file:///c': 3 });
    const { reaper, listedBy } = reaperOver(cache, 2);
    for (const name of ['a', 'b', 'c']) {
      listedBy.set(name, 'n/e2');
      await reaper.free(name, `file:///${name}`);
    }
    expect(reaper.waiting).toBe(2);
    listedBy.clear();
    expect(await reaper.sweep()).toBe(5);
    expect(cache.cached.has('file:///a')).toBe(true);
  });

  it('rejects a cache I/O failure on free, and a sweep that meets one goes on', async () => {
    const cache = fakeCache({ 'file:///b': 2 });
    const broken = {
      evict: (uri: string) =>
        uri === 'file:///a' ? Promise.reject(new Error('EIO')) : cache.evict(uri),
    };
    let listed = true;
    const reaper = new AdapterFileReaper({
      cache: broken,
      use: () => (listed ? 'listed' : undefined),
      max: 4,
    });
    await reaper.free('a', 'file:///a');
    await reaper.free('b', 'file:///b');
    listed = false;
    expect(await reaper.sweep()).toBe(2);
    expect(reaper.waiting).toBe(0);
    await expect(reaper.free('a', 'file:///a')).rejects.toThrow('EIO');
  });
});
