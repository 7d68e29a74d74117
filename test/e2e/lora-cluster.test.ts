/**
 * LoRA end to end on the local cluster (issue #13): a ModelAdapter in the cluster file's
 * `resources:` over 4 simulated engines with LoRA slots, driven through `infernode up`. The
 * adapter is served through the gateway with the official client, survives an engine's death
 * and restart, and 100 adapters created and deleted by rewriting the file leave nothing behind.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { childName } from '../../src/up/sim-child.js';
import { freePorts } from '../helpers/cluster-files.js';
import { peftConfig } from '../helpers/lora-harness.js';
import { writeSafetensorsFile } from '../helpers/safetensors-file.js';
import { waitFor } from '../helpers/wait-for.js';

const BASE = 'llama-lora-base';
/** The leader's resync: the longest a missed change waits, and the test's "reconcile period". */
const RESYNC_MS = 2000;
/** The agents' scrape period. */
const SCRAPE_MS = 500;

interface AdapterView {
  kind: string;
  metadata: { name: string };
  status?: {
    phase?: string;
    instances?: string[];
    readyReplicas?: number;
    engineErrors?: { code?: string; message?: string }[];
  };
}

let dir: string;
let clusterPath: string;
let cluster: LocalCluster;
let base: Record<string, unknown>;
let enginePorts: Map<string, number>;

function adapter(name: string, artifact: string, replicas?: number): Record<string, unknown> {
  return {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'ModelAdapter',
    metadata: { name, namespace: 'default' },
    spec: {
      baseModel: BASE,
      podSelector: { matchLabels: { 'model.infernode.io/name': BASE } },
      artifactURL: artifact,
      ...(replicas === undefined ? {} : { replicas }),
    },
  };
}

/** Rewrites the cluster file with these resources; the static source reloads it. */
async function setResources(resources: unknown[]): Promise<void> {
  await writeFile(clusterPath, stringify({ ...base, resources }));
}

async function writeAdapter(name: string): Promise<string> {
  const path = join(dir, 'artifacts', name);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'adapter_config.json'), JSON.stringify(peftConfig(8)));
  await writeSafetensorsFile(join(path, 'adapter_model.safetensors'), { totalBytes: 4096 });
  return `file://${path}`;
}

async function resources(): Promise<AdapterView[]> {
  const res = await fetch(`${cluster.controlUrl}/v1/resources`);
  const body = (await res.json()) as { resources?: AdapterView[] } | AdapterView[];
  return Array.isArray(body) ? body : (body.resources ?? []);
}

async function adapterView(name: string): Promise<AdapterView | undefined> {
  return (await resources()).find((r) => r.kind === 'ModelAdapter' && r.metadata.name === name);
}

/** Adapters the engine itself lists (its /v1/models entries with a parent). */
async function engineAdapters(engine: string): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${String(enginePorts.get(engine))}/v1/models`);
  const body = (await res.json()) as { data: { id: string; parent?: string | null }[] };
  return body.data.filter((m) => m.parent !== undefined && m.parent !== null).map((m) => m.id);
}

/** Engines (ids `<node>/<engine>`) whose own model list holds `name`. */
async function enginesHolding(name: string): Promise<string[]> {
  const held: string[] = [];
  for (const engine of enginePorts.keys())
    if ((await engineAdapters(engine).catch((): string[] => [])).includes(name)) held.push(engine);
  return held;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lora-cluster-'));
  const [gateway, control, agentA, agentB, ...engines] = await freePorts(8);
  enginePorts = new Map();
  const node = (name: string, agentPort: number, ports: number[]): Record<string, unknown> => ({
    name,
    agentPort,
    engines: ports.map((port, k) => {
      enginePorts.set(`${name}/engine-${k}`, port);
      return {
        name: `engine-${k}`,
        model: BASE,
        gpus: [k],
        sim: { port, speed: 50, maxNumSeqs: 32, enableLora: true, maxLoras: 8, maxLoraRank: 16 },
      };
    }),
  });
  base = {
    leader: { host: '127.0.0.1', gatewayPort: gateway, controlPort: control },
    nodes: [
      node('node-a', agentA!, [engines[0]!, engines[1]!]),
      node('node-b', agentB!, [engines[2]!, engines[3]!]),
    ],
  };
  clusterPath = join(dir, 'cluster.yaml');
  await mkdir(join(dir, 'artifacts'));
  await setResources([]);
  cluster = await startLocalCluster({
    clusterFile: clusterPath,
    stateDir: join(dir, 'state'),
    logDir: join(dir, 'logs'),
    readyTimeoutMs: 120_000,
    leaderArgs: ['--controllers-resync-interval-ms', String(RESYNC_MS)],
    // No --weights-file-roots: `up` lets agents read file:// artifacts under the cluster
    // file's directory (artifacts/ is there) and still refuses paths outside it.
  });
}, 180_000);

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

// Runs first, on a fresh cluster, so what it checks is its own doing; the last test below checks
// that the engine stop and crash leave nothing behind either.
describe('100 adapters created and deleted', () => {
  it('leaves nothing behind: engines, node caches, status and metrics', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `leak-${String(i).padStart(3, '0')}`);
    const artifacts = await Promise.all(
      names.map(async (n) => [n, await writeAdapter(n)] as const),
    );
    for (let batch = 0; batch < names.length; batch += 25) {
      const some = artifacts.slice(batch, batch + 25);
      await setResources(some.map(([n, a]) => adapter(n, a, 1)));
      await waitFor(
        async () => {
          const views = await resources();
          return some.every(([n]) =>
            views.some((v) => v.metadata.name === n && v.status?.phase === 'Running'),
          );
        },
        `batch ${String(batch / 25)} Running`,
        90_000,
        200,
      );
      await setResources([]);
      await waitFor(
        async () => {
          for (const engine of enginePorts.keys())
            if ((await engineAdapters(engine)).length > 0) return false;
          return (await resources()).length === 0;
        },
        `batch ${String(batch / 25)} gone`,
        90_000,
        200,
      );
    }
    for (const url of cluster.agentUrls.values()) {
      let seen: string[] = [];
      const cache = await waitFor(
        async () => {
          const body = (await (await fetch(`${url}/v1/weights`)).json()) as {
            models: { uri: string }[];
          };
          seen = body.models.map((m) => m.uri);
          return body.models.length === 0 ? body : undefined;
        },
        'the node cache empty',
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; it holds ${seen.join(', ')}`, { cause: err });
      });
      expect(cache?.models).toEqual([]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).not.toMatch(/leak-\d{3}/);
    }
    const leaderMetrics = await (await fetch(`${cluster.controlUrl}/metrics`)).text();
    expect(leaderMetrics).not.toMatch(/leak-\d{3}/);
    const gateway = await (
      await fetch(`${cluster.gatewayUrl}/metrics`).catch(() => undefined)
    )
      ?.text()
      .catch(() => '');
    expect(gateway ?? '').not.toMatch(/leak-\d{3}/);
    expect(await readFile(clusterPath, 'utf8')).toContain('resources: []');
  }, 600_000);
});

describe('a ModelAdapter with replicas 2 over 4 engines', () => {
  const name = 'sql-lora';

  /** Waits until the status says Running with 2 ready instances that the engines confirm. */
  async function runningOnTwo(what: string, timeoutMs: number): Promise<string[]> {
    let last: unknown;
    try {
      const held = await waitFor(
        async () => {
          const v = await adapterView(name);
          const held = (await enginesHolding(name)).sort();
          last = { status: v?.status, held };
          const instances = [...(v?.status?.instances ?? [])].sort();
          return v?.status?.phase === 'Running' &&
            v.status.readyReplicas === 2 &&
            held.length === 2 &&
            JSON.stringify(instances) === JSON.stringify(held)
            ? held
            : undefined;
        },
        what,
        timeoutMs,
        100,
      );
      return held ?? [];
    } catch (err) {
      throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`, {
        cause: err,
      });
    }
  }

  it('is listed with its parent and serves a chat request through the gateway', async () => {
    await setResources([adapter(name, await writeAdapter(name), 2)]);
    await runningOnTwo('the adapter Running on 2 engines', 60_000);
    const client = new OpenAI({ baseURL: `${cluster.gatewayUrl}/v1`, apiKey: 'unused' });
    const models = await waitFor(
      async () => {
        const list = await client.models.list();
        return list.data.some((m) => m.id === name) ? list.data : undefined;
      },
      'the gateway listing the adapter',
      30_000,
    );
    const listed = models?.find((m) => m.id === name) as unknown as { parent?: string };
    expect(listed.parent).toBe(BASE);
    const answer = await client.chat.completions.create({
      model: name,
      messages: [{ role: 'user', content: 'hello' }],
      max_completion_tokens: 4,
    });
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(answer.model).toBe(name);
  });

  it('is on 2 ready engines again within 2 reconcile periods after one holding it dies', async () => {
    const before = await runningOnTwo('the adapter on 2 engines', 30_000);
    const victim = before[0]!;
    const [nodeName, engineName] = victim.split('/') as [string, string];
    await cluster.supervisor.stop(childName.sim(nodeName, engineName));
    const moved = await runningOnTwo('the adapter on 2 live engines', 2 * RESYNC_MS + 10_000);
    expect(moved).not.toContain(victim);
    cluster.supervisor.restart(childName.sim(nodeName, engineName));
    await waitFor(
      async () => (await engineAdapters(victim).catch(() => undefined)) !== undefined,
      'the stopped engine back',
      30_000,
    );
  });

  it('is back within a scrape period plus the load time when an engine holding it restarts', async () => {
    const held = await runningOnTwo('the adapter on 2 engines', 30_000);
    const victim = held[0]!;
    const [nodeName, engineName] = victim.split('/') as [string, string];
    const child = childName.sim(nodeName, engineName);
    const pid = cluster.supervisor.pids().get(child);
    expect(pid).toBeGreaterThan(0);
    // A crash: the supervisor starts the engine again, empty.
    cluster.supervisor.kill(child, 'SIGKILL');
    await waitFor(
      async () => {
        const next = cluster.supervisor.pids().get(child);
        return next !== undefined && next !== pid && (await engineAdapters(victim)).length >= 0;
      },
      'the engine restarted and serving',
      30_000,
    );
    await runningOnTwo('the adapter on 2 engines again', SCRAPE_MS + 10_000);
  });

  it('deleted after an engine stop and a crash, it leaves no files in any node cache', async () => {
    await setResources([]);
    for (const url of cluster.agentUrls.values()) {
      let seen: string[] = [];
      await waitFor(
        async () => {
          const body = (await (await fetch(`${url}/v1/weights`)).json()) as {
            models: { uri: string }[];
          };
          seen = body.models.map((m) => m.uri);
          return body.models.length === 0;
        },
        'the node cache empty',
        60_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; it holds ${seen.join(', ')}`, { cause: err });
      });
    }
    expect(await enginesHolding(name)).toEqual([]);
  }, 120_000);
});

describe('file:// artifacts on `infernode up` (no --weights-file-roots)', () => {
  it('are refused outside the cluster file’s directory and examples/, with the reason in the status', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'lora-outside-'));
    try {
      const path = join(outside, 'stray-lora');
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'adapter_config.json'), JSON.stringify(peftConfig(8)));
      await writeSafetensorsFile(join(path, 'adapter_model.safetensors'), { totalBytes: 4096 });
      await setResources([adapter('stray-lora', `file://${path}`, 1)]);
      const errors = await waitFor(
        async () => {
          const found = (await adapterView('stray-lora'))?.status?.engineErrors ?? [];
          return found.length > 0 ? found : undefined;
        },
        'a load error in the status',
        60_000,
        100,
      );
      expect(errors?.[0]?.code).toBe('LORA_ARTIFACT_FAILED');
      expect(errors?.[0]?.message).toContain('not under an allowed root directory');
      expect(await enginesHolding('stray-lora')).toEqual([]);
    } finally {
      await setResources([]);
      await rm(outside, { recursive: true, force: true });
    }
  });
});
