/** Writes cluster files on free loopback ports for end-to-end tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../../src/shared/index.js';

export { freePorts };

export interface TestClusterSpec {
  readonly nodes: number;
  readonly enginesPerNode: number;
  readonly model?: string;
  readonly speed?: number;
  /** Extra environment for each node's agent, by node index. */
  readonly nodeEnv?: (nodeIndex: number) => Record<string, string>;
  /** Extra engines by URL (not simulated), per node index; `engine` is the dialect (default vllm). */
  readonly extraEngines?: readonly {
    node: number;
    name: string;
    model: string;
    url: string;
    engine?: string;
  }[];
  /** Give every simulated engine `kvEvents:` on two free ports (KV events and their replay). */
  readonly kvEvents?: boolean;
  /** Every simulated engine's GPU KV blocks (`sim.numGpuBlocks`); the simulator's default if unset. */
  readonly numGpuBlocks?: number;
  /** Custom resources declared in the file (e.g. a RateLimitPolicy). */
  readonly resources?: readonly unknown[];
}

/** A temp dir holding `cluster.yaml`; returns both paths. */
export async function writeClusterFile(
  spec: TestClusterSpec,
): Promise<{ dir: string; path: string }> {
  const perEngine = spec.kvEvents === true ? 3 : 1;
  const ports = await freePorts(2 + spec.nodes * (1 + spec.enginesPerNode * perEngine));
  let next = 0;
  const take = (): number => ports[next++] as number;
  const file = {
    leader: { host: '127.0.0.1', gatewayPort: take(), controlPort: take() },
    nodes: Array.from({ length: spec.nodes }, (_, n) => ({
      name: `node-${String.fromCharCode(97 + n)}`,
      agentPort: take(),
      env: spec.nodeEnv?.(n) ?? {},
      engines: [
        ...Array.from({ length: spec.enginesPerNode }, (_, k) => ({
          name: `engine-${k}`,
          model: spec.model ?? 'test-model',
          gpus: [k],
          sim: {
            port: take(),
            speed: spec.speed ?? 50,
            maxNumSeqs: 32,
            ...(spec.numGpuBlocks === undefined ? {} : { numGpuBlocks: spec.numGpuBlocks }),
          },
          ...(spec.kvEvents === true
            ? {
                kvEvents: {
                  endpoint: `tcp://127.0.0.1:${take()}`,
                  replayEndpoint: `tcp://127.0.0.1:${take()}`,
                },
              }
            : {}),
        })),
        ...(spec.extraEngines ?? [])
          .filter((e) => e.node === n)
          .map((e) => ({
            name: e.name,
            model: e.model,
            url: e.url,
            ...(e.engine === undefined ? {} : { engine: e.engine }),
          })),
      ],
    })),
    resources: spec.resources ?? [],
  };
  const dir = mkdtempSync(join(tmpdir(), 'infernode-e2e-'));
  const path = join(dir, 'cluster.yaml');
  writeFileSync(path, stringify(file));
  return { dir, path };
}
