/**
 * `infernode bench lora --mode apply` (issue #13): the time from a ModelAdapter appearing in the
 * cluster file's `resources:` to the first request the gateway routes to it, on a real local
 * cluster (leader, agent, simulators as child processes; file:// artifacts already on disk, the
 * "cached artifact" case). Each apply adds one distinct adapter (replicas 1) to the file; the
 * bench then polls, every `pollMs`, the leader's /v1/resources (the controller has written a
 * status: it saw the resource; phase Running: the engine lists the adapter) and the gateway with
 * the official openai client (a 200 for `model: <adapter>`: routed). Goal: p95 under 2 s.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { freePorts, sleep } from '../shared/index.js';
import { startTempCluster } from './bench-cluster.js';
import { quantile, summarize, type LatencySummary } from './latency-stats.js';
import { writeSyntheticSafetensors } from './synthetic-safetensors.js';

/** What the apply bench runs. */
export interface LoraApplySettings {
  /** Distinct adapters applied one after the other. */
  readonly applies: number;
  /** Simulated engines (one node) the adapters may go to. */
  readonly engines: number;
  /** How often the bench looks at the status and the gateway, ms. */
  readonly pollMs: number;
  /** Longest one apply may take before the bench gives up, ms. */
  readonly timeoutMs: number;
  /** Extra leader flags. */
  readonly leaderArgs: readonly string[];
  readonly report: (line: string) => void;
}

/** One apply's phases, ms after the cluster file was written. */
export interface ApplyTimes {
  readonly adapter: string;
  /** The controller wrote a status (the file was re-read and the key reconciled). */
  readonly statusMs: number;
  /** Status phase Running: the load finished and the engine lists the adapter. */
  readonly runningMs: number;
  /** The gateway answered 200 for `model: <adapter>`. */
  readonly routedMs: number;
}

/** The apply bench's result. */
export interface LoraApplyResult {
  readonly applies: readonly ApplyTimes[];
  readonly statusMs: LatencySummary;
  readonly runningMs: LatencySummary;
  readonly routedMs: LatencySummary;
  readonly routedP95Ms: number;
  readonly goalMs: number;
  readonly metGoal: boolean;
}

/** The goal: apply to first routed request. */
export const APPLY_GOAL_MS = 2000;

const BASE = 'llama-lora-base';

/** Runs the apply bench on a fresh local cluster. */
export async function runLoraApply(settings: LoraApplySettings): Promise<LoraApplyResult> {
  const [gatewayPort = 0, controlPort = 0, agentPort = 0, ...enginePorts] = await freePorts(
    3 + settings.engines,
  );
  const maxLoras = Math.max(8, Math.ceil(settings.applies / settings.engines) + 1);
  const file = {
    leader: { host: '127.0.0.1', gatewayPort, controlPort },
    nodes: [
      {
        name: 'node-a',
        agentPort,
        engines: enginePorts.map((port, k) => ({
          name: `engine-${k}`,
          model: BASE,
          gpus: [k],
          sim: { port, speed: 50, maxNumSeqs: 32, enableLora: true, maxLoras, maxLoraRank: 16 },
        })),
      },
    ],
  };
  const temp = await startTempCluster('bench-lora-apply-', file, {
    readyTimeoutMs: 120_000,
    leaderArgs: settings.leaderArgs,
    report: settings.report,
  });
  try {
    const names = Array.from({ length: settings.applies }, (_, i) => `apply-${i}`);
    const artifacts = new Map<string, string>();
    for (const [i, name] of names.entries())
      artifacts.set(name, await writeAdapter(join(temp.dir, 'artifacts', name), i));
    const client = new OpenAI({
      baseURL: `${temp.cluster.gatewayUrl}/v1`,
      apiKey: 'none',
      maxRetries: 0,
      timeout: 10_000,
    });
    const applied: ApplyTimes[] = [];
    for (const [i, name] of names.entries()) {
      const resources = names.slice(0, i + 1).map((n) => modelAdapter(n, artifacts.get(n) ?? ''));
      const clusterFile = join(temp.dir, 'cluster.yaml');
      await writeFile(clusterFile, `${JSON.stringify({ ...file, resources }, null, 2)}\n`);
      const times = await timeOneApply(name, temp.cluster.controlUrl, client, settings);
      settings.report(
        `${name}: status ${times.statusMs} ms, Running ${times.runningMs} ms, routed ${times.routedMs} ms`,
      );
      applied.push(times);
    }
    const routed = summarize(applied.map((a) => a.routedMs));
    const routedP95Ms = p95(applied.map((a) => a.routedMs));
    return {
      applies: applied,
      statusMs: summarize(applied.map((a) => a.statusMs)),
      runningMs: summarize(applied.map((a) => a.runningMs)),
      routedMs: routed,
      routedP95Ms,
      goalMs: APPLY_GOAL_MS,
      metGoal: routedP95Ms < APPLY_GOAL_MS,
    };
  } finally {
    await temp.stop();
  }
}

/** Polls status and gateway until the adapter is routed; times each phase from now. */
async function timeOneApply(
  name: string,
  controlUrl: string,
  client: OpenAI,
  settings: LoraApplySettings,
): Promise<ApplyTimes> {
  const started = performance.now();
  const since = (): number => Math.round(performance.now() - started);
  const endAt = started + settings.timeoutMs;
  const expired = (): boolean => performance.now() >= endAt;
  // A fresh signal per call: one shared deadline would collect a listener per poll.
  const remaining = (): AbortSignal =>
    AbortSignal.timeout(Math.max(1, Math.round(endAt - performance.now())));
  let statusMs: number | undefined;
  let runningMs: number | undefined;
  const watchStatus = async (): Promise<void> => {
    while (runningMs === undefined && !expired()) {
      const phase = await adapterPhase(controlUrl, name);
      if (phase !== undefined) statusMs ??= since();
      if (phase === 'Running') runningMs = since();
      else await sleep(settings.pollMs);
    }
  };
  const watchGateway = async (): Promise<number> => {
    for (;;) {
      if (expired()) throw new Error(`${name} not routed within ${settings.timeoutMs} ms`);
      const ok = await client.chat.completions
        .create(
          { model: name, messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 1 },
          { signal: remaining() },
        )
        .then(
          () => true,
          () => false,
        );
      if (ok) return since();
      await sleep(settings.pollMs);
    }
  };
  const [, routedMs] = await Promise.all([watchStatus(), watchGateway()]);
  // The gateway may route before the status poll has seen Running: wait for it, bounded.
  await watchStatus();
  return {
    adapter: name,
    statusMs: statusMs ?? routedMs,
    runningMs: runningMs ?? routedMs,
    routedMs,
  };
}

/** The adapter's status phase in the leader's /v1/resources, if it has a status. */
async function adapterPhase(controlUrl: string, name: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${controlUrl}/v1/resources`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as
      { resources?: ResourceView[] } | ResourceView[] | null | undefined;
    const list = Array.isArray(body) ? body : (body?.resources ?? []);
    const found = list.find((r) => r.kind === 'ModelAdapter' && r.metadata?.name === name);
    return found?.status?.phase;
  } catch {
    return undefined;
  }
}

interface ResourceView {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly status?: { readonly phase?: string };
}

const p95 = (values: readonly number[]): number =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.95,
  );

function modelAdapter(name: string, artifactUrl: string): Record<string, unknown> {
  return {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'ModelAdapter',
    metadata: { name, namespace: 'default' },
    spec: {
      baseModel: BASE,
      podSelector: { matchLabels: { 'model.infernode.io/name': BASE } },
      artifactURL: artifactUrl,
      replicas: 1,
    },
  };
}

/** A rank-8 PEFT LoRA directory (config + a small synthetic weights file); its file:// URI. */
async function writeAdapter(path: string, seed: number): Promise<string> {
  await mkdir(path, { recursive: true });
  const config = { peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'] };
  await writeFile(join(path, 'adapter_config.json'), JSON.stringify(config));
  await writeSyntheticSafetensors(join(path, 'adapter_model.safetensors'), 64 * 1024, seed + 1);
  return `file://${path}`;
}
