/**
 * examples/weights-cluster.yaml end to end, on free ports: `up` starts and seeds the object store,
 * the runai_streamer engine streams the model through its node agent's read-through endpoint
 * (the agent fetches it once into its node cache), the other reads the seeded directory with
 * `loadFormat: auto`, and both load before they serve. `infernode pull` then finds the model
 * in the node cache, from the agent and through the leader.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { freePorts } from '../helpers/cluster-files.js';
import { startCli } from '../helpers/run-cli.js';

interface Example {
  objectStore: { port: number; seed: { sizeMiB: number }[] };
  leader: { gatewayPort: number; controlPort: number };
  nodes: {
    agentPort: number;
    readThroughPort?: number;
    engines: { model: string; sim: Record<string, unknown> }[];
  }[];
}

let dir: string;
let cluster: LocalCluster;
let example: Example;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-cluster-'));
  example = parse(await readFile('examples/weights-cluster.yaml', 'utf8')) as Example;
  const [store, gateway, control, agent, e0, e1, readThrough] = await freePorts(7);
  example.objectStore.port = store!;
  example.leader = { ...example.leader, gatewayPort: gateway!, controlPort: control! };
  const node = example.nodes[0]!;
  node.agentPort = agent!;
  node.readThroughPort = readThrough!;
  const [engine0, engine1] = node.engines as [
    Example['nodes'][0]['engines'][0],
    Example['nodes'][0]['engines'][0],
  ];
  engine0.sim = { ...engine0.sim, port: e0 };
  const model = 'models/models/llama-3.2-64m';
  engine1.sim = {
    port: e1,
    maxNumSeqs: 64,
    modelPath: join(dir, 'state', model),
    loadFormat: 'auto',
  };
  const path = join(dir, 'cluster.yaml');
  await writeFile(path, stringify(example));
  cluster = await startLocalCluster({
    clusterFile: path,
    stateDir: join(dir, 'state'),
    logDir: join(dir, 'logs'),
    readyTimeoutMs: 120_000,
  });
}, 180_000);

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('examples/weights-cluster.yaml', () => {
  it('serves the model once both engines have read every byte of it', async () => {
    expect(cluster.objectStoreUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reports = await Promise.all(
      example.nodes[0]!.engines.map(async (e) => {
        const res = await fetch(`http://127.0.0.1:${String(e.sim.port)}/admin/weights`);
        return (await res.json()) as { format: string; weightBytes: number; bytes: number };
      }),
    );
    expect(reports.map((r) => r.format)).toEqual(['runai_streamer', 'safetensors']);
    for (const r of reports) expect(r.weightBytes).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    // The same model, whether streamed from s3:// or read from the seeded directory.
    expect(reports[0]!.bytes).toBe(reports[1]!.bytes);
    const res = await fetch(`${cluster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llama-3.2-64m',
        messages: [{ role: 'user', content: 'hello' }],
        max_completion_tokens: 4,
      }),
    });
    expect(res.status).toBe(200);
  });

  it('fetched the model once into the node cache, and served the engine from it', async () => {
    const agentUrl = `http://127.0.0.1:${String(example.nodes[0]!.agentPort)}`;
    const cache = (await (await fetch(`${agentUrl}/v1/weights`)).json()) as {
      models: { uri: string; bytes: number }[];
    };
    expect(cache.models.map((m) => m.uri)).toEqual(['s3://models/llama-3.2-64m/']);
    const metrics = await (await fetch(`${agentUrl}/metrics`)).text();
    const served = /^infernode_weights_read_through_served_bytes_total(?:\{[^}]*\})? (\d+)/m.exec(
      metrics,
    );
    expect(Number(served?.[1])).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it('infernode pull finds the model cached, on the agent and through the leader', async () => {
    const agentUrl = `http://127.0.0.1:${String(example.nodes[0]!.agentPort)}`;
    const local = await startCli([
      'pull',
      's3://models/llama-3.2-64m',
      '--agent-url',
      agentUrl,
    ]).exited();
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('local: done');
    const viaLeader = await startCli([
      'pull',
      's3://models/llama-3.2-64m',
      '--node',
      'node-a',
      '--leader-url',
      `http://127.0.0.1:${String(example.leader.controlPort)}`,
    ]).exited();
    expect(viaLeader.code).toBe(0);
    expect(viaLeader.stdout).toContain('node-a: done');
  });
});

describe('infernode sim --model-path', () => {
  it('exits 1 with one clear log line when the model path is missing, as vLLM does', async () => {
    const run = await startCli([
      'sim',
      '--port',
      '0',
      '--model-path',
      join(dir, 'no-such-model'),
      '--load-format',
      'safetensors',
    ]).exited();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('engine failed to start');
    expect(run.stderr).toContain('WEIGHTS_NOT_FOUND');
  });
});
