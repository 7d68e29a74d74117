/** The agent's `kv` section for tests: every listener on 127.0.0.1 port 0, small bounds. */
import type { AgentConfig } from '../../src/agent/agent-config.js';

/** The token the tests' engines and peers present. */
export const KV_TEST_TOKEN = 'cluster-secret';

/** A full `kv` section with `overrides` applied. */
export function testKvConfig(overrides: Partial<AgentConfig['kv']> = {}): AgentConfig['kv'] {
  return {
    enabled: true,
    host: '127.0.0.1',
    port: 0,
    advertiseHost: '',
    token: KV_TEST_TOKEN,
    budgetBytes: 16 * 1024 * 1024,
    policy: 's3fifo',
    maxFrameBytes: 8 * 1024 * 1024,
    maxConnections: 16,
    shared: true,
    l2: true,
    l2KeepAfterFetches: 2,
    lookupTimeoutMs: 10_000,
    fetchTimeoutMs: 10_000,
    lmcacheEnabled: false,
    lmcacheHost: '127.0.0.1',
    lmcachePort: 0,
    lmcacheAllowedCidrs: ['127.0.0.0/8', '::1/128'],
    ...overrides,
  };
}
