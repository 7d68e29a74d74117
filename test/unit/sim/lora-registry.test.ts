import { describe, expect, it } from 'vitest';
import { LoraRegistry, type AdapterProbe } from '../../../src/sim/lora-registry.js';

const probe: AdapterProbe = (path) =>
  Promise.resolve(
    path.startsWith('/missing')
      ? { kind: 'missing' }
      : { kind: 'found', rank: path.includes('r64') ? 64 : 8, bytes: 1000 },
  );
const registry = (over = {}): LoraRegistry =>
  new LoraRegistry({ enabled: true, maxLoraRank: 16, maxAdapters: 3, ...over });

async function loadError(r: LoraRegistry, body: Record<string, unknown>) {
  const out = await r.load(body, probe);
  if (!('status' in out)) throw new Error('expected an error');
  return { status: out.status, message: out.body.error.message, type: out.body.error.type };
}

describe('LoraRegistry (vLLM load/unload rules)', () => {
  it('loads, lists and unloads with increasing lora_int_id', async () => {
    const r = registry();
    const a = await r.load({ lora_name: 'a', lora_path: '/ok/a' }, probe);
    const b = await r.load({ lora_name: 'b', lora_path: '/ok/b' }, probe);
    expect(a).toMatchObject({ name: 'a', intId: 1, rank: 8 });
    expect(b).toMatchObject({ name: 'b', intId: 2 });
    expect(r.list().map((x) => x.name)).toEqual(['a', 'b']);
    expect(r.unload({ lora_name: 'a' })).toMatchObject({ name: 'a' });
    expect(r.get('a')).toBeUndefined();
  });

  it("takes lora_int_id after the name checks, as vLLM's serving layer does", async () => {
    const r = registry();
    await r.load({ lora_name: 'a', lora_path: '/ok/a' }, probe); // 1
    await loadError(r, { lora_name: 'x' }); // name check: no id
    await loadError(r, { lora_name: 'a', lora_path: '/ok/a' }); // name check: no id
    await loadError(r, { lora_name: 'm', lora_path: '/missing/m' }); // engine refused: 2 used up
    await loadError(r, { lora_name: 'big', lora_path: '/ok/r64' }); // 3 used up
    expect(await r.load({ lora_name: 'b', lora_path: '/ok/b' }, probe)).toMatchObject({ intId: 4 });
    r.unload({ lora_name: 'a' });
    // Unload frees no id; a reload of the same name gets a new one.
    expect(await r.load({ lora_name: 'a', lora_path: '/ok/a' }, probe)).toMatchObject({ intId: 5 });
  });

  it('answers each error case as vLLM does', async () => {
    const r = registry();
    await r.load({ lora_name: 'a', lora_path: '/ok/a' }, probe);
    expect(await loadError(r, { lora_name: 'x' })).toMatchObject({
      status: 400,
      message: "Both 'lora_name' and 'lora_path' must be provided.",
    });
    expect(await loadError(r, { lora_name: 'a', lora_path: '/ok/a' })).toMatchObject({
      status: 400,
      message: "The lora adapter 'a' has already been loaded.",
    });
    expect(await loadError(r, { lora_name: 'm', lora_path: '/missing/m' })).toEqual({
      status: 404,
      type: 'NotFoundError',
      message: 'Loading lora m failed: No adapter found for /missing/m',
    });
    expect(await loadError(r, { lora_name: 'big', lora_path: '/ok/r64' })).toMatchObject({
      status: 400,
      message: 'LoRA rank 64 is greater than max_lora_rank 16.',
    });
    expect(r.unload({})).toMatchObject({ status: 400 });
    expect(r.unload({ lora_name: 'zzz' })).toMatchObject({
      status: 404,
      body: {
        error: { message: "The lora adapter 'zzz' cannot be found.", type: 'NotFoundError' },
      },
    });
  });

  it('refuses when LoRA is disabled, and beyond its registry bound', async () => {
    expect(
      await loadError(registry({ enabled: false }), { lora_name: 'a', lora_path: '/ok' }),
    ).toMatchObject({
      status: 400,
      message: 'LoRA is not enabled. Use --enable-lora to enable LoRA.',
    });
    const r = registry({ maxAdapters: 1 });
    await r.load({ lora_name: 'a', lora_path: '/ok' }, probe);
    expect(await loadError(r, { lora_name: 'b', lora_path: '/ok' })).toMatchObject({
      status: 400,
      message: 'No free adapter slots.',
    });
  });
});
