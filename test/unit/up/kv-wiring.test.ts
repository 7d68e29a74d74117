import { describe, expect, it } from 'vitest';
import { agentConfigSpec } from '../../../src/agent/index.js';
import { parseClusterFile, type NodeEntry } from '../../../src/discovery/index.js';
import { loadConfig } from '../../../src/shared/index.js';
import { parseKvEventsConfig } from '../../../src/sim/kv-events-config.js';
import { clusterPorts, duplicatePorts } from '../../../src/up/cluster-ports.js';
import {
  agentKvSettings,
  agentKvUrl,
  bindableEndpoint,
  LOCAL_KV_BUDGET_BYTES,
  simKvEventsArgs,
} from '../../../src/up/kv-wiring.js';
import { simChildSpec } from '../../../src/up/sim-child.js';

const cluster = parseClusterFile({
  nodes: [
    {
      name: 'node-a',
      agentPort: 9101,
      engines: [
        {
          name: 'e0',
          model: 'm',
          sim: { port: 8101 },
          kvEvents: {
            endpoint: 'tcp://127.0.0.1:5611',
            replayEndpoint: 'tcp://127.0.0.1:5612',
            topic: 'kv',
          },
        },
        { name: 'e1', model: 'm', sim: { port: 8102 } },
      ],
    },
  ],
});
const node = cluster.nodes[0] as NodeEntry;
const [withEvents, without] = node.engines;
const context = { extraArgs: [], clusterDir: '/c', objectStore: undefined };

/** The value of a flag in an argument list. */
const flag = (args: readonly string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};

describe('up: KV wiring', () => {
  it('gives an agent settings its config loader reads as the block service on, with the token', () => {
    const { env, args } = agentKvSettings({ port: 45_123, token: 'tok' });
    expect(args).toEqual([]);
    const config = loadConfig(agentConfigSpec, 'AGENT', { env: { ...env } });
    expect(config.kv).toMatchObject({
      enabled: true,
      host: '127.0.0.1',
      port: 45_123,
      token: 'tok',
      budgetBytes: LOCAL_KV_BUDGET_BYTES,
    });
    expect(agentKvUrl({ port: 45_123, token: 'tok' })).toBe('ikv://127.0.0.1:45123');
  });

  it('sets nothing for an agent when KV is off', () => {
    expect(agentKvSettings(undefined)).toEqual({ args: [], env: {} });
  });

  it('makes a simulator bind the PUB socket its entry names and keep the replay socket', () => {
    const spec = simChildSpec(node, withEvents!, context)!;
    const json = flag(spec.args, '--kv-events-config');
    expect(json).toBeDefined();
    // The simulator's own parser reads it as vLLM would: events on, zmq, bound on the port.
    const parsed = parseKvEventsConfig(json!);
    expect(parsed).toMatchObject({
      enableKvCacheEvents: true,
      publisher: 'zmq',
      endpoint: 'tcp://*:5611',
      replayEndpoint: 'tcp://127.0.0.1:5612',
      topic: 'kv',
    });
  });

  it('starts an engine without kvEvents, or with KV off, without the flag', () => {
    expect(simKvEventsArgs(without!)).toEqual([]);
    expect(simChildSpec(node, without!, context)!.args).not.toContain('--kv-events-config');
    const off = simChildSpec(node, withEvents!, { ...context, kvEvents: false })!;
    expect(off.args).not.toContain('--kv-events-config');
  });

  it('keeps ipc endpoints (always bound) and rewrites only tcp hosts', () => {
    expect(bindableEndpoint('ipc:///tmp/kv.sock')).toBe('ipc:///tmp/kv.sock');
    expect(bindableEndpoint('tcp://node-a.local:5557')).toBe('tcp://*:5557');
  });

  it('checks the KV event ports before start and names a port given twice', () => {
    const roles = clusterPorts(cluster).map((p) => `${p.port} ${p.role}`);
    expect(roles).toContain(
      '5611 the KV events of node-a/e0 (nodes[0].engines[0].kvEvents.endpoint)',
    );
    expect(roles).toContain(
      '5612 the KV events of node-a/e0 (nodes[0].engines[0].kvEvents.replayEndpoint)',
    );
    const clash = parseClusterFile({
      nodes: [
        {
          name: 'n',
          agentPort: 9101,
          engines: [
            {
              name: 'e',
              model: 'm',
              sim: { port: 8101 },
              kvEvents: { endpoint: 'tcp://127.0.0.1:9101' },
            },
          ],
        },
      ],
    });
    expect(duplicatePorts(clusterPorts(clash))).toEqual([
      'port 9101 is given to both the agent of n (nodes[0].agentPort) and the KV events of n/e (nodes[0].engines[0].kvEvents.endpoint)',
    ]);
  });
});
