/**
 * The agent's adapter manager over real parts for the LoRA tests: a node cache in a temp dir
 * fed by the file:// source and the real streamer, in-process simulators with LoRA on (base
 * model `base`, max rank 16) as the node's engines, and an engine watcher driven cycle by cycle.
 * Adapters are real directories (adapter_config.json + adapter_model.safetensors) under
 * `artifacts/`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentMetrics } from '../../src/agent/agent-metrics.js';
import { EngineWatcher } from '../../src/agent/engine-watcher.js';
import { LoraManager, type LoraConfig } from '../../src/agent/lora-manager.js';
import type { ClusterSource, EngineEndpoint } from '../../src/discovery/index.js';
import type { JsonObject } from '../../src/protocol/index.js';
import { createRegistry, loadConfig, silentLogger, systemClock } from '../../src/shared/index.js';
import { startSimServer, type SimServer, type SimServerOptions } from '../../src/sim/index.js';
import { NodeCache, streamArtifact } from '../../src/weights/adapters/index.js';
import { agentConfigSpec } from '../../src/agent/agent-config.js';
import { configuredSources } from '../../src/agent/weights-wiring.js';
import { EngineLoraIds } from '../../src/agent/engine-lora-ids.js';
import { testSettings } from './fake-weights.js';
import { writeSafetensorsFile } from './safetensors-file.js';

/** A running harness; see the file comment. */
export interface LoraHarness {
  readonly dir: string;
  readonly cache: NodeCache;
  readonly manager: LoraManager;
  /** The manager's LoRA id maps (what the KV event path names lora_ids with). */
  readonly loraIds: EngineLoraIds;
  readonly watcher: EngineWatcher;
  readonly sims: Map<string, SimServer>;
  /** The node's engines (tests may push their own endpoints). */
  readonly endpoints: EngineEndpoint[];
  /** Progress messages of every call. */
  readonly progress: JsonObject[];
  /** Starts a simulator as engine `n/<name>`. */
  addSim(name: string, options?: SimServerOptions): Promise<SimServer>;
  /** Stops engine `n/<name>`'s simulator and starts a fresh one on the same port. */
  restartSim(name: string): Promise<void>;
  /** Writes an adapter directory; returns its file:// URI. */
  writeAdapter(name: string, config: unknown, weightBytes?: number): Promise<string>;
  /** Runs `n` watcher cycles; returns the reports. */
  cycles(n: number): Promise<ReturnType<EngineWatcher['reports']>>;
  /** Call context for the manager. */
  context(timeoutMs?: number): { signal: AbortSignal; progress: (p: JsonObject) => void };
  close(): Promise<void>;
}

/** Default config of the manager under test. */
export const TEST_LORA_CONFIG: LoraConfig = {
  maxAdapterBytes: 1024 * 1024,
  loadTimeoutMs: 5_000,
  modelsTimeoutMs: 5_000,
  concurrency: 4,
  maxRank: 0,
  maxAdapters: 64,
};

/** A PEFT config of rank `r`. */
export function peftConfig(r: number): JsonObject {
  return { peft_type: 'LORA', r, lora_alpha: 2 * r, target_modules: ['q_proj', 'v_proj'] };
}

/** Starts a harness; `config` overrides parts of {@link TEST_LORA_CONFIG}. */
export async function startLoraHarness(config: Partial<LoraConfig> = {}): Promise<LoraHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'lora-'));
  const artifacts = join(dir, 'artifacts');
  await mkdir(artifacts);
  const stop = new AbortController();
  // The agent's own source wiring, so a Secret's credentials take the path they take in production.
  const weights = loadConfig(agentConfigSpec, 'AGENT', {
    env: {},
    file: { weights: { allowPrivateAddresses: true, fileRoots: [artifacts] } },
  }).weights;
  const own = configuredSources(weights);
  const resolveSource = own.resolve;
  const cache = await NodeCache.open({
    nodeCachePath: join(dir, 'cache'),
    budgetBytes: 64 * 1024 * 1024,
    resolveSource,
    stream: streamArtifact,
    settings: { ...testSettings, partBytes: 64 * 1024 },
    listTimeoutMs: 5_000,
    registry: createRegistry(),
    clock: systemClock,
    log: silentLogger(),
    signal: stop.signal,
  });
  const endpoints: EngineEndpoint[] = [];
  const sims = new Map<string, SimServer>();
  const source: ClusterSource = {
    name: 'fixed',
    current: () => ({ endpoints, resources: [] }),
    onChange: () => () => undefined,
    synced: Promise.resolve(),
    run: () => Promise.resolve(),
  };
  const watcher = new EngineWatcher({
    source,
    clock: systemClock,
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry(), 'n'),
    intervalMs: 500,
    timeoutMs: 2_000,
    windowMs: 10_000,
    modelsEveryN: 4,
  });
  const loraIds = new EngineLoraIds({ reports: () => watcher.reports() });
  const manager = new LoraManager({
    cache,
    engines: () => endpoints,
    reports: () => watcher.reports(),
    sourcesFor: (credentials) => configuredSources(weights, credentials),
    config: { ...TEST_LORA_CONFIG, ...config },
    clock: systemClock,
    onEngineChanged: (id) => watcher.refreshModels(id),
    progressEveryMs: 100,
    loraIds,
  });
  const progress: JsonObject[] = [];
  const simOptions = new Map<string, SimServerOptions>();
  const startSim = async (name: string, options: SimServerOptions): Promise<SimServer> => {
    const sim = await startSimServer({
      speed: 1000,
      enableLora: true,
      model: 'base',
      maxLoras: 4,
      ...options,
    });
    sims.set(name, sim);
    return sim;
  };
  return {
    dir,
    cache,
    loraIds,
    manager,
    watcher,
    sims,
    endpoints,
    progress,
    async addSim(name, options = {}) {
      const sim = await startSim(name, options);
      simOptions.set(name, options);
      endpoints.push({
        id: `n/${name}`,
        name,
        model: 'base',
        url: sim.url,
        node: 'n',
        engine: 'vllm',
        gpuIndices: undefined,
        ready: true,
      });
      return sim;
    },
    async restartSim(name) {
      const old = sims.get(name);
      if (old === undefined) throw new Error(`no sim ${name}`);
      await old.close();
      await startSim(name, { ...simOptions.get(name), port: old.port });
    },
    async writeAdapter(name, config, weightBytes = 4096) {
      const path = join(artifacts, name);
      await mkdir(path, { recursive: true });
      if (config !== undefined)
        await writeFile(
          join(path, 'adapter_config.json'),
          typeof config === 'string' ? config : JSON.stringify(config),
        );
      await writeSafetensorsFile(join(path, 'adapter_model.safetensors'), {
        totalBytes: weightBytes,
      });
      return `file://${path}`;
    },
    async cycles(n) {
      for (let i = 0; i < n; i++) await watcher.cycle(stop.signal);
      return watcher.reports();
    },
    context(timeoutMs = 20_000) {
      return { signal: AbortSignal.timeout(timeoutMs), progress: (p) => progress.push(p) };
    },
    async close() {
      stop.abort();
      own.close();
      await Promise.all([...sims.values()].map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
