/**
 * examples/weights-cluster.yaml end to end, on free ports: `up` starts and seeds the object store,
 * and the engines load the model before they serve. Until the agent's read-through endpoint
 * lands, the runai_streamer engine streams from the object store directly (no readThroughPort)
 * and the other reads the seeded directory with `loadFormat: auto`.
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
  const [store, gateway, control, agent, e0, e1] = await freePorts(6);
  example.objectStore.port = store!;
  example.leader = { ...example.leader, gatewayPort: gateway!, controlPort: control! };
  const node = example.nodes[0]!;
  node.agentPort = agent!;
  delete node.readThroughPort;
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
