/**
 * Waits until a starting local cluster serves: every node's agent connected to the leader and
 * every simulated engine reported fresh and ready, read from the leader's /v1/cluster.
 */
import type { ClusterFile } from '../discovery/index.js';
import { AppError, sleep } from '../shared/index.js';

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

interface ClusterJson {
  nodes: { node: string; connected: boolean }[];
  engines: { id: string; stale: boolean; agentSaysDown: boolean }[];
}

/** Resolves once every node's agent is connected and every simulated engine is fresh and ready. */
export async function waitUntilServing(
  controlUrl: string,
  file: ClusterFile,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  // Engines given by URL are not waited for: they may be down on purpose.
  const simIds = new Set(
    file.nodes.flatMap((n) =>
      n.engines.filter((e) => e.sim !== undefined).map((e) => `${n.name}/${e.name}`),
    ),
  );
  const deadline = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < deadline) {
    if (signal?.aborted === true) throw new AppError('PROC_CHILD_FAILED', 'stopped while starting');
    try {
      const view = (await fetchJson(`${controlUrl}/v1/cluster`)) as ClusterJson;
      const connected = new Set(view.nodes.filter((n) => n.connected).map((n) => n.node));
      const missing = file.nodes.filter((n) => !connected.has(n.name)).map((n) => n.name);
      // Every simulated engine must be listed and ready; a cluster whose scale groups are all at
      // zero replicas has none, and serves (the gateway holds requests) once the agents connect.
      const ready = new Set(
        view.engines.filter((e) => !e.stale && !e.agentSaysDown).map((e) => e.id),
      );
      const notReady = [...simIds].filter((id) => !ready.has(id));
      if (missing.length === 0 && notReady.length === 0) return;
      last = `agents not connected: [${missing.join(', ')}], engines not ready: [${notReady.join(', ')}]`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200, signal);
  }
  throw new AppError(
    'PROC_CHILD_FAILED',
    `the local cluster was not serving after ${timeoutMs} ms: ${last}`,
  );
}
