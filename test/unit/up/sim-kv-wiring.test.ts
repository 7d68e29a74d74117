import { describe, expect, it } from 'vitest';
import type { NodeEntry } from '../../../src/discovery/index.js';
import { parseKvTransferConfig } from '../../../src/sim/index.js';
import { simKvTransferArgs } from '../../../src/up/sim-kv-wiring.js';

const node = (env: Record<string, string>): NodeEntry => ({ env }) as unknown as NodeEntry;

describe('simKvTransferArgs (up: engines as KV clients of their agent)', () => {
  it('points the sim at the agent block service with the node token when kv is enabled', () => {
    const args = simKvTransferArgs(
      node({
        INFERNODE_AGENT_KV_ENABLED: 'true',
        INFERNODE_AGENT_KV_PORT: '9311',
        INFERNODE_KV_TOKEN: 's3cret',
      }),
    );
    expect(args[0]).toBe('--kv-transfer-config');
    const config = parseKvTransferConfig(args[1]);
    expect(config?.url).toBe('ikv://127.0.0.1:9311');
    expect(config?.token).toBe('s3cret');
    expect(config?.kvRole).toBe('kv_both');
  });

  it('uses the default port and reaches a wildcard host on loopback', () => {
    const args = simKvTransferArgs(
      node({ INFERNODE_AGENT_KV_ENABLED: '1', INFERNODE_AGENT_KV_HOST: '0.0.0.0' }),
    );
    expect(parseKvTransferConfig(args[1])?.url).toBe('ikv://127.0.0.1:9300');
  });

  it('passes the node env bytes fraction to the connector and ignores an invalid one', () => {
    const on = { INFERNODE_AGENT_KV_ENABLED: 'true', INFERNODE_AGENT_KV_PORT: '9311' };
    const with1k = simKvTransferArgs(
      node({ ...on, INFERNODE_SIM_KV_BYTES_FRACTION: '0.0009765625' }),
    );
    expect(parseKvTransferConfig(with1k[1])?.bytesFraction).toBe(1 / 1024);
    for (const bad of ['0', '2', 'x', '-0.5']) {
      const args = simKvTransferArgs(node({ ...on, INFERNODE_SIM_KV_BYTES_FRACTION: bad }));
      expect(parseKvTransferConfig(args[1])?.bytesFraction, bad).toBe(1 / 64);
    }
  });

  it('passes the node env call bound to the connector and ignores an invalid one', () => {
    const on = { INFERNODE_AGENT_KV_ENABLED: 'true', INFERNODE_AGENT_KV_PORT: '9311' };
    const slow = simKvTransferArgs(node({ ...on, INFERNODE_SIM_KV_TIMEOUT_MS: '8000' }));
    expect(parseKvTransferConfig(slow[1])?.timeoutMs).toBe(8000);
    for (const bad of ['0', '1.5', 'x', '-3']) {
      const args = simKvTransferArgs(node({ ...on, INFERNODE_SIM_KV_TIMEOUT_MS: bad }));
      expect(parseKvTransferConfig(args[1])?.timeoutMs, bad).toBe(2000);
    }
  });

  it('gives nothing when kv is off or its port is picked at run time', () => {
    expect(simKvTransferArgs(node({}))).toEqual([]);
    expect(simKvTransferArgs(node({ INFERNODE_AGENT_KV_ENABLED: 'false' }))).toEqual([]);
    expect(
      simKvTransferArgs(node({ INFERNODE_AGENT_KV_ENABLED: 'true', INFERNODE_AGENT_KV_PORT: '0' })),
    ).toEqual([]);
  });
});
