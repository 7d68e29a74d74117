import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { metric, postJson, scrape, waitFor } from '../../helpers/sim-http.js';

let sim: SimServer | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-lora-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function adapterDir(name: string, rank?: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  if (rank !== undefined)
    await writeFile(join(path, 'adapter_config.json'), JSON.stringify({ r: rank }));
  return path;
}

describe('runtime LoRA endpoints', () => {
  it('loads, lists, serves and unloads adapters as vLLM', async () => {
    sim = await startSimServer({ speed: 1000, enableLora: true, model: 'base' });
    const path = await adapterDir('sql', 8);
    const load = await postJson(sim.url, '/v1/load_lora_adapter', {
      lora_name: 'sql',
      lora_path: path,
    });
    expect(load.status).toBe(200);
    expect(load.text).toBe("Success: LoRA adapter 'sql' added successfully.");
    const models = (await (await fetch(`${sim.url}/v1/models`)).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(['base', 'sql']);
    expect(models.data[1]).toMatchObject({
      id: 'sql',
      object: 'model',
      root: path,
      parent: 'base',
    });
    const gen = await postJson(sim.url, '/v1/completions', {
      model: 'sql',
      prompt: 'select',
      max_tokens: 3,
    });
    expect(gen.status).toBe(200);
    expect(gen.json.model).toBe('sql');
    const unload = await postJson(sim.url, '/v1/unload_lora_adapter', { lora_name: 'sql' });
    expect(unload.text).toBe("Success: LoRA adapter 'sql' removed successfully.");
    const after = await postJson(sim.url, '/v1/completions', { model: 'sql', prompt: 'x' });
    expect(after.status).toBe(404);
  });

  it('answers every load/unload error with vLLM’s status and message', async () => {
    sim = await startSimServer({ speed: 1000, enableLora: true, maxLoraRank: 16 });
    const ok = await adapterDir('ok');
    const big = await adapterDir('big', 64);
    await postJson(sim.url, '/v1/load_lora_adapter', { lora_name: 'ok', lora_path: ok });
    const cases: [unknown, number, string][] = [
      [{ lora_name: 'ok', lora_path: ok }, 400, "The lora adapter 'ok' has already been loaded."],
      [{ lora_path: ok }, 400, "Both 'lora_name' and 'lora_path' must be provided."],
      [{ lora_name: 'x' }, 400, "Both 'lora_name' and 'lora_path' must be provided."],
      [
        { lora_name: 'gone', lora_path: '/nonexistent/adapter' },
        404,
        'Loading lora gone failed: No adapter found for /nonexistent/adapter',
      ],
      [{ lora_name: 'big', lora_path: big }, 400, 'LoRA rank 64 is greater than max_lora_rank 16.'],
    ];
    for (const [body, status, message] of cases) {
      const r = await postJson(sim.url, '/v1/load_lora_adapter', body);
      expect(r.status, message).toBe(status);
      expect(r.json.error).toEqual({
        message,
        type: expect.any(String),
        param: null,
        code: status,
      });
    }
    const unknown = await postJson(sim.url, '/v1/unload_lora_adapter', { lora_name: 'nope' });
    expect([unknown.status, unknown.json.error.message]).toEqual([
      404,
      "The lora adapter 'nope' cannot be found.",
    ]);
    const missing = await postJson(sim.url, '/v1/unload_lora_adapter', {});
    expect(missing.status).toBe(400);
  });

  it('refuses loads when LoRA is disabled', async () => {
    sim = await startSimServer({ speed: 1000 });
    const r = await postJson(sim.url, '/v1/load_lora_adapter', {
      lora_name: 'a',
      lora_path: await adapterDir('a'),
    });
    expect([r.status, r.json.error.message]).toEqual([
      400,
      'LoRA is not enabled. Use --enable-lora to enable LoRA.',
    ]);
  });

  it('runs max_loras adapters per batch: another adapter waits (lora_requests_info shows it)', async () => {
    sim = await startSimServer({ speed: 5, enableLora: true, maxLoras: 1 });
    for (const name of ['a', 'b'])
      await postJson(sim.url, '/v1/load_lora_adapter', {
        lora_name: name,
        lora_path: await adapterDir(name),
      });
    const body = (model: string) => ({ model, prompt: 'x', max_tokens: 200, ignore_eos: true });
    const runs = [
      postJson(sim.url, '/v1/completions', body('a')),
      postJson(sim.url, '/v1/completions', body('b')),
    ];
    let info = '';
    const seen = await waitFor(async () => {
      const text = await scrape(sim!.url);
      info = /^vllm:lora_requests_info\{([^}]*)\}/m.exec(text)?.[1] ?? '';
      return (
        metric(text, 'vllm:num_requests_waiting') === 1 &&
        metric(text, 'vllm:num_requests_running') === 1
      );
    });
    expect(seen).toBe(true);
    expect(info).toContain('max_lora="1"');
    expect(info).toMatch(/running_lora_adapters="(a|b)"/);
    expect(info).toMatch(/waiting_lora_adapters="(a|b)"/);
    for (const r of await Promise.all(runs)) expect(r.status).toBe(200);
  });
});
