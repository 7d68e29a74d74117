/**
 * The node cache keeps an adapter's files only while the node uses them, even when the reports
 * the agent decides by are a cycle behind: real simulators, the real node cache and watcher.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peftConfig, startLoraHarness, type LoraHarness } from '../../helpers/lora-harness.js';

let h: LoraHarness;
beforeEach(async () => {
  h = await startLoraHarness();
});
afterEach(async () => {
  await h.close();
});

async function cachedModels(): Promise<string[]> {
  return readdir(join(h.dir, 'cache', 'weights', 'models')).catch(() => []);
}

/** Adapter `sql` loaded on the node's two engines e1 and e2; returns its artifact URI. */
async function loadedOnTwoEngines(): Promise<string> {
  await h.addSim('e1');
  await h.addSim('e2');
  const uri = await h.writeAdapter('sql', peftConfig(8));
  for (const engineId of ['n/e1', 'n/e2'])
    await h.manager.load({ adapter: 'sql', engineId, artifactUrl: uri }, h.context());
  return uri;
}

describe('adapter files', () => {
  it('that an unload could not free, because another engine’s report still listed the adapter, go on the next sweep', async () => {
    const uri = await loadedOnTwoEngines();
    expect((await h.cycles(1)).map((r) => r.adapters)).toEqual([['sql'], ['sql']]);
    // The leader unloads both; e2's report is not read again before e1's unload decides.
    await h.manager.unload({ adapter: 'sql', engineId: 'n/e2', artifactUrl: uri }, h.context());
    const last = await h.manager.unload(
      { adapter: 'sql', engineId: 'n/e1', artifactUrl: uri },
      h.context(),
    );
    expect(last.freedBytes).toBe(0);
    expect(await cachedModels()).toHaveLength(1);
    expect(h.manager.holdings()).toEqual([]);
    expect((await h.cycles(1)).map((r) => r.adapters)).toEqual([[], []]);
    expect(await h.manager.sweep()).toBeGreaterThan(4096);
    expect(await cachedModels()).toEqual([]);
  });

  it('stay while another engine lists the adapter, however many sweeps run', async () => {
    const uri = await loadedOnTwoEngines();
    await h.cycles(1);
    await h.manager.unload({ adapter: 'sql', engineId: 'n/e1', artifactUrl: uri }, h.context());
    await h.cycles(2);
    expect(await h.manager.sweep()).toBe(0);
    expect(await cachedModels()).toHaveLength(1);
  });

  it('fetched for a load the engine refused go on the sweep after the engine’s next listing', async () => {
    await h.addSim('e1', { maxLoraRank: 16 });
    const uri = await h.writeAdapter('big', peftConfig(64));
    await expect(
      h.manager.load({ adapter: 'big', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    ).rejects.toMatchObject({ code: 'LORA_RANK_TOO_HIGH' });
    expect(await cachedModels()).toHaveLength(1);
    await h.cycles(1);
    expect(await h.manager.sweep()).toBeGreaterThan(4096);
    expect(await cachedModels()).toEqual([]);
  });
});

describe('adapter files of an engine that left the node', () => {
  it('go once the next command finds the engine gone and the reports no longer list it', async () => {
    await h.addSim('e1');
    await h.addSim('e2');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    await h.manager.load({ adapter: 'sql', engineId: 'n/e1', artifactUrl: uri }, h.context());
    await h.cycles(1);
    // e1's pod is replaced: discovery drops it; the next command on the node prunes its record.
    h.endpoints.splice(
      h.endpoints.findIndex((e) => e.id === 'n/e1'),
      1,
    );
    await h.manager.unload({ adapter: 'other', engineId: 'n/e2' }, h.context());
    expect(h.manager.holdings()).toEqual([]);
    await h.cycles(1);
    await h.manager.sweep();
    expect(await cachedModels()).toEqual([]);
  });
});
