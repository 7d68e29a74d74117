/**
 * The agent's `kv` section: the node's L1 KV block store and its native block service
 * (`ikv://`, issue #14). Port 9300 by default (next to the agent API's 9100; the local cluster
 * gives each agent its own). The token is one cluster-wide secret that engines and peer agents
 * present alike (in Kubernetes from the Secret the DaemonSet names); without it the service
 * only listens on loopback. 32 GiB of DRAM by default is AIBrix's order of magnitude per node
 * (its L1 default is 10 GiB per engine); set it to what the node can spare.
 */
import { bool, int, list, str } from '../shared/index.js';

const positive = { min: 1 };

/** The default port of the native block service. */
export const DEFAULT_KV_PORT = 9300;

/**
 * The default port of the LMCache-compatible listener: next to the block service's 9300
 * (LMCache's own examples use 65432; any free port works, engines are told the URL).
 */
export const DEFAULT_LMCACHE_PORT = 9301;

/** The `kv` keys of the agent's config (README: agent config table). */
export const kvConfigSpec = {
  enabled: bool(false, 'run the node’s L1 KV block store and its native block service (ikv://)'),
  host: str('127.0.0.1', 'block service listen address (0.0.0.0 to serve peers across nodes)'),
  port: int(DEFAULT_KV_PORT, 'block service port (0: any free port)', { min: 0, max: 65535 }),
  advertiseHost: str(
    '',
    'host peers reach this node’s block service at (empty: kv.host, or the node name when kv.host is a wildcard)',
    { env: 'INFERNODE_KV_ADVERTISE_HOST' },
  ),
  token: str(
    '',
    'cluster-wide KV token engines and peers present (required unless kv.host is loopback)',
    { env: 'INFERNODE_KV_TOKEN' },
  ),
  budgetBytes: int(32 * 1024 ** 3, 'DRAM budget of the L1 block store, bytes', positive),
  policy: str('s3fifo', 'L1 eviction policy: s3fifo (AIBrix’s default) or lru', {
    oneOf: ['s3fifo', 'lru'],
  }),
  maxFrameBytes: int(65 * 1024 * 1024, 'largest block service frame, bytes', {
    min: 64 * 1024,
  }),
  maxConnections: int(256, 'block service connections at once', positive),
  shared: bool(true, 'serve this node’s blocks to peer agents (their L2)'),
  l2: bool(true, 'on an L1 miss, fetch the blocks from a peer the leader names (L2)'),
  l2KeepAfterFetches: int(
    2,
    'keep a local copy of a peer’s block once this node fetched it this many times (HOT ingestion; 1: always)',
    positive,
  ),
  lookupTimeoutMs: int(500, 'bound of one L2 lookup at the leader, ms', positive),
  fetchTimeoutMs: int(2000, 'bound of one L2 fetch from a peer, ms', positive),
  lmcacheEnabled: bool(
    false,
    'also serve the L1 store over LMCache’s remote-server protocol (lm://), for vLLM with LMCache’s connector',
  ),
  lmcacheHost: str(
    '127.0.0.1',
    'LMCache listener address: node-local only (the protocol has no authentication)',
  ),
  lmcachePort: int(DEFAULT_LMCACHE_PORT, 'LMCache listener port (0: any free port)', {
    min: 0,
    max: 65535,
  }),
  lmcacheAllowedCidrs: list(
    ['127.0.0.0/8', '::1/128'],
    'peer addresses allowed on the LMCache listener (CIDRs; add the node’s pod CIDR when engines are not on loopback)',
  ),
};
