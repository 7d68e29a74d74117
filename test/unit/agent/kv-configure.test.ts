/** The `kv.configure` handler: args validation, and the settings it hands the store's owner. */
import { describe, expect, it } from 'vitest';
import {
  kvConfigureHandler,
  parseKvConfigureArgs,
  type KvStoreSettings,
} from '../../../src/agent/kv-configure.js';
import { silentLogger } from '../../../src/shared/index.js';

const good = {
  resource: 'ns/c',
  budgetBytes: 4096,
  policy: 'lru',
  shared: false,
  engines: ['n/e1'],
};

describe('kv.configure', () => {
  it('accepts well-formed args and refuses each malformed field', () => {
    expect(parseKvConfigureArgs(good)).toEqual({ ok: true, args: good });
    const bad = (over: Record<string, unknown>) => parseKvConfigureArgs({ ...good, ...over });
    expect(bad({ resource: '' })).toMatchObject({ ok: false, message: /resource/ });
    expect(bad({ budgetBytes: 0 })).toMatchObject({ ok: false, message: /budgetBytes/ });
    expect(bad({ budgetBytes: 1.5 })).toMatchObject({ ok: false, message: /budgetBytes/ });
    expect(bad({ budgetBytes: 2 ** 50 })).toMatchObject({ ok: false, message: /at most/ });
    expect(bad({ policy: 'fifo' })).toMatchObject({ ok: false, message: /policy/ });
    expect(bad({ shared: 'yes' })).toMatchObject({ ok: false, message: /shared/ });
    expect(bad({ engines: [1] })).toMatchObject({ ok: false, message: /engines/ });
  });

  it('applies the settings to the store and answers with what the store did', async () => {
    const applied: KvStoreSettings[] = [];
    const handler = kvConfigureHandler({
      reconfigure(settings) {
        applied.push(settings);
        return { evictedBlocks: 3, evictedBytes: 3000, heldBytes: 1000 };
      },
    });
    const parsed = handler.parseArgs(good);
    if (!parsed.ok) throw new Error(parsed.message);
    const value = await handler.run(parsed.args, {
      signal: new AbortController().signal,
      progress: () => undefined,
      log: silentLogger(),
    });
    expect(applied).toEqual([
      { budgetBytes: 4096, policy: 'lru', shared: false, engines: ['n/e1'] },
    ]);
    expect(value).toEqual({ ...good, evictedBlocks: 3, evictedBytes: 3000, heldBytes: 1000 });
    expect(handler.kind).toBe('kv.configure');
  });
});
