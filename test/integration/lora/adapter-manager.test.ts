import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loraCommandHandlers } from '../../../src/agent/lora-commands.js';
import { AppError, silentLogger } from '../../../src/shared/index.js';
import { adapterHashSeed } from '../../../src/kvcache/index.js';
import { peftConfig, startLoraHarness, type LoraHarness } from '../../helpers/lora-harness.js';
import {
  startArtifactHttpServer,
  type ArtifactHttpServer,
} from '../../helpers/artifact-http-server.js';
import { safetensorsBytes } from '../../helpers/safetensors-file.js';

let h: LoraHarness;
beforeEach(async () => {
  h = await startLoraHarness();
});
afterEach(async () => {
  await h.close();
});

async function listed(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/v1/models`)).json()) as {
    data: { id: string; parent?: string | null }[];
  };
  return body.data.filter((m) => typeof m.parent === 'string').map((m) => m.id);
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function cachedModels(): Promise<string[]> {
  return readdir(join(h.dir, 'cache', 'weights', 'models')).catch(() => []);
}

describe('lora.load', () => {
  it('fetches the adapter into the node cache, loads it, and the engine lists it', async () => {
    const sim = await h.addSim('e1');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    const result = await h.manager.load(
      { adapter: 'sql', engineId: 'n/e1', artifactUrl: uri, baseModel: 'base' },
      h.context(),
    );
    expect(result).toMatchObject({
      adapter: 'sql',
      engineId: 'n/e1',
      rank: 8,
      alreadyLoaded: false,
    });
    expect(result.bytes).toBeGreaterThan(4096);
    expect(result.path.startsWith(join(h.dir, 'cache'))).toBe(true);
    expect(await listed(sim.url)).toEqual(['sql']);
    expect(h.progress.some((p) => p.phase === 'fetching')).toBe(true);
    expect(h.manager.holdings().map((x) => [x.name, [...x.engines]])).toEqual([['sql', ['n/e1']]]);
  });

  it('sends concurrent loads to one engine one at a time and names their lora_int_ids', async () => {
    const sim = await h.addSim('e1');
    const names = ['a1', 'a2', 'a3'];
    const uris = await Promise.all(names.map((n) => h.writeAdapter(n, peftConfig(8))));
    await Promise.all(
      names.map((adapter, i) =>
        h.manager.load(
          { adapter, engineId: 'n/e1', artifactUrl: uris[i] as string, baseModel: 'base' },
          h.context(),
        ),
      ),
    );
    // The simulator lists adapters in load order, which is vLLM's lora_int_id order (1, 2, 3).
    const order = await listed(sim.url);
    expect([...order].sort()).toEqual(names);
    expect([1, 2, 3].map((id) => h.loraIds.seedFor('n/e1', id))).toEqual(
      order.map((n) => adapterHashSeed(n)),
    );
  });

  it('succeeds with alreadyLoaded when the engine lists the adapter already', async () => {
    const sim = await h.addSim('e1');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    const args = { adapter: 'sql', engineId: 'n/e1', artifactUrl: uri };
    await h.manager.load(args, h.context());
    const again = await h.manager.load(args, h.context());
    expect(again.alreadyLoaded).toBe(true);
    expect(await listed(sim.url)).toEqual(['sql']);
  });

  it('runs through the command handler with its args validated', async () => {
    await h.addSim('e1');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    const [load] = loraCommandHandlers({ manager: h.manager, concurrency: 1 });
    expect(load!.parseArgs({ adapter: 'sql' })).toMatchObject({ ok: false });
    expect(
      load!.parseArgs({
        adapter: 'sql',
        engineId: 'n/e1',
        artifactUrl: uri,
        credentials: { a: 1 },
      }),
    ).toMatchObject({ ok: false });
    const parsed = load!.parseArgs({ adapter: 'sql', engineId: 'n/e1', artifactUrl: uri });
    if (!parsed.ok) throw new Error(parsed.message);
    const value = await load!.run(parsed.args, { ...h.context(), log: silentLogger() });
    expect(value).toMatchObject({ adapter: 'sql', rank: 8, alreadyLoaded: false });
  });

  it('refuses a rank over the engine’s max_lora_rank with LORA_RANK_TOO_HIGH', async () => {
    const sim = await h.addSim('e1', { maxLoraRank: 16 });
    const uri = await h.writeAdapter('big', peftConfig(64));
    const err = await failure(
      h.manager.load({ adapter: 'big', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(err.code).toBe('LORA_RANK_TOO_HIGH');
    expect(err.message).toContain('greater than max_lora_rank 16');
    expect(await listed(sim.url)).toEqual([]);
    expect(h.manager.holdings()).toEqual([]);
  });

  it('refuses a rank over the configured maxRank before calling the engine', async () => {
    await h.close();
    h = await startLoraHarness({ maxRank: 8 });
    const sim = await h.addSim('e1', { maxLoraRank: 64 });
    const uri = await h.writeAdapter('r16', peftConfig(16));
    const err = await failure(
      h.manager.load({ adapter: 'r16', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(err.code).toBe('LORA_RANK_TOO_HIGH');
    expect(await listed(sim.url)).toEqual([]);
  });

  it('refuses an artifact without adapter_config.json with LORA_BAD_ADAPTER', async () => {
    const sim = await h.addSim('e1');
    const uri = await h.writeAdapter('noconf', undefined);
    const err = await failure(
      h.manager.load({ adapter: 'noconf', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(err.code).toBe('LORA_BAD_ADAPTER');
    expect(err.message).toContain('adapter_config.json');
    expect(await listed(sim.url)).toEqual([]);
  });

  it('refuses a config that is not LoRA, and a name that is the base model', async () => {
    await h.addSim('e1');
    const uri = await h.writeAdapter('prefix', { peft_type: 'PREFIX_TUNING', r: 8 });
    const notLora = await failure(
      h.manager.load({ adapter: 'prefix', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(notLora.code).toBe('LORA_BAD_ADAPTER');
    const clash = await failure(
      h.manager.load({ adapter: 'base', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(clash.code).toBe('LORA_BAD_ADAPTER');
    expect(clash.message).toContain('base model');
  });

  it('refuses an oversized adapter with LORA_TOO_LARGE and keeps nothing of it', async () => {
    await h.close();
    h = await startLoraHarness({ maxAdapterBytes: 64 * 1024 });
    const sim = await h.addSim('e1');
    const uri = await h.writeAdapter('huge', peftConfig(8), 256 * 1024);
    const err = await failure(
      h.manager.load({ adapter: 'huge', engineId: 'n/e1', artifactUrl: uri }, h.context()),
    );
    expect(err.code).toBe('LORA_TOO_LARGE');
    expect(err.message).toContain('maxAdapterBytes');
    expect(await listed(sim.url)).toEqual([]);
    expect(await cachedModels()).toEqual([]);
  });

  it('answers LORA_ARTIFACT_FAILED for a missing artifact and LORA_UNKNOWN_ENGINE for another node’s engine', async () => {
    await h.addSim('e1');
    const missing = await failure(
      h.manager.load(
        { adapter: 'gone', engineId: 'n/e1', artifactUrl: `file://${h.dir}/artifacts/gone` },
        h.context(),
      ),
    );
    expect(missing.code).toBe('LORA_ARTIFACT_FAILED');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    const unknown = await failure(
      h.manager.load({ adapter: 'sql', engineId: 'other/e9', artifactUrl: uri }, h.context()),
    );
    expect(unknown.code).toBe('LORA_UNKNOWN_ENGINE');
  });

  describe('an engine that hangs', () => {
    let server: Server;
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('fails with LORA_ENGINE_UNAVAILABLE once the load timeout passes', async () => {
      await h.close();
      h = await startLoraHarness({ loadTimeoutMs: 300 });
      server = createServer((req, res) => {
        if (req.url === '/v1/models')
          res.end(JSON.stringify({ object: 'list', data: [{ id: 'base', parent: null }] }));
        // Anything else (the load call) never answers.
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      h.endpoints.push({
        id: 'n/hang',
        name: 'hang',
        model: 'base',
        url: `http://127.0.0.1:${port}`,
        node: 'n',
        engine: 'vllm',
        gpuIndices: undefined,
        ready: true,
      });
      const uri = await h.writeAdapter('sql', peftConfig(8));
      const err = await failure(
        h.manager.load({ adapter: 'sql', engineId: 'n/hang', artifactUrl: uri }, h.context()),
      );
      expect(err.code).toBe('LORA_ENGINE_UNAVAILABLE');
      expect(err.message).toContain('no answer within 300 ms');
      expect(h.manager.holdings()).toEqual([]);
    });
  });
});

describe('an adapter behind HTTP', () => {
  let server: ArtifactHttpServer;
  beforeEach(async () => {
    server = await startArtifactHttpServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('is fetched from a directory URL with the Secret’s bearer token and loaded', async () => {
    const sim = await h.addSim('e1');
    server.put('ad/adapter_config.json', Buffer.from(JSON.stringify(peftConfig(4))));
    server.put('ad/adapter_model.safetensors', safetensorsBytes({ totalBytes: 8192 }));
    const result = await h.manager.load(
      {
        adapter: 'web',
        engineId: 'n/e1',
        artifactUrl: `${server.baseUrl}ad/`,
        credentials: { token: 's3cret' },
      },
      h.context(),
    );
    expect(result.rank).toBe(4);
    expect(await listed(sim.url)).toEqual(['web']);
    const reads = server.requests.filter((r) => r.path.includes('ad/'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.headers.authorization === 'Bearer s3cret')).toBe(true);
  });
});

describe('lora.unload', () => {
  it('frees the cached files only when the last engine on the node drops the adapter', async () => {
    const a = await h.addSim('e1');
    const b = await h.addSim('e2');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    await h.manager.load({ adapter: 'sql', engineId: 'n/e1', artifactUrl: uri }, h.context());
    await h.manager.load({ adapter: 'sql', engineId: 'n/e2', artifactUrl: uri }, h.context());
    expect(await cachedModels()).toHaveLength(1);
    const first = await h.manager.unload(
      { adapter: 'sql', engineId: 'n/e1', artifactUrl: uri },
      h.context(),
    );
    expect(first).toEqual({ adapter: 'sql', engineId: 'n/e1', wasLoaded: true, freedBytes: 0 });
    expect(await listed(a.url)).toEqual([]);
    expect(await listed(b.url)).toEqual(['sql']);
    expect(await cachedModels()).toHaveLength(1);
    const last = await h.manager.unload({ adapter: 'sql', engineId: 'n/e2' }, h.context());
    expect(last.wasLoaded).toBe(true);
    expect(last.freedBytes).toBeGreaterThan(4096);
    expect(await cachedModels()).toEqual([]);
    expect(h.manager.holdings()).toEqual([]);
  });

  it('is a success with wasLoaded false when the engine does not have the adapter', async () => {
    await h.addSim('e1');
    const result = await h.manager.unload({ adapter: 'never', engineId: 'n/e1' }, h.context());
    expect(result).toEqual({ adapter: 'never', engineId: 'n/e1', wasLoaded: false, freedBytes: 0 });
  });
});

describe('engine restarts', () => {
  it('the agent’s report loses the adapter on the first scrape after the engine restarts', async () => {
    await h.addSim('e1');
    const uri = await h.writeAdapter('sql', peftConfig(8));
    await h.cycles(1);
    await h.manager.load({ adapter: 'sql', engineId: 'n/e1', artifactUrl: uri }, h.context());
    // The load asked for a read: the very next cycle reports it, whatever modelsEveryN.
    expect((await h.cycles(1))[0]!.adapters).toEqual(['sql']);
    await h.restartSim('e1');
    // One scrape period: the next cycle, not the next periodic /v1/models read.
    const [report] = await h.cycles(1);
    expect(report!.ready).toBe(true);
    expect(report!.adapters).toEqual([]);
    // And the leader's re-load works at once (the files are still pinned in the cache).
    const again = await h.manager.load(
      { adapter: 'sql', engineId: 'n/e1', artifactUrl: uri },
      h.context(),
    );
    expect(again.alreadyLoaded).toBe(false);
    expect((await h.cycles(1))[0]!.adapters).toEqual(['sql']);
  });
});
