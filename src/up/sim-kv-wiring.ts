/**
 * The local cluster's engines as KV clients of their node's agent: when a node's agent runs its
 * block service (the node's env sets INFERNODE_AGENT_KV_ENABLED, as the agent reads it), each
 * simulator of that node gets vLLM's --kv-transfer-config with the InfernodeConnector pointed at
 * that service's loopback URL and the node's KV token. A port of 0 cannot be known ahead, so
 * such a node's engines get no connector. INFERNODE_SIM_KV_BYTES_FRACTION (a number in (0, 1])
 * sets the connector's `bytesFraction` (the share of the true KV bytes really moved; benchmarks
 * lower it so a whole trace fits one machine); INFERNODE_SIM_KV_TIMEOUT_MS (an integer ≥ 1) sets
 * its per-call bound `timeoutMs` (slow simulators need more wall time per lookup); absent or
 * invalid, the simulator's defaults.
 */
import type { NodeEntry } from '../discovery/index.js';

/** The agent's default block service port (src/agent/kv-config.ts DEFAULT_KV_PORT). */
const AGENT_KV_DEFAULT_PORT = 9300;

/** `--kv-transfer-config <json>` for a simulator on `node`, or nothing. */
export function simKvTransferArgs(node: NodeEntry): string[] {
  const env = node.env;
  const enabled = (env.INFERNODE_AGENT_KV_ENABLED ?? '').toLowerCase();
  if (enabled !== 'true' && enabled !== '1') return [];
  const port = Number(env.INFERNODE_AGENT_KV_PORT ?? AGENT_KV_DEFAULT_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return [];
  const host = env.INFERNODE_AGENT_KV_HOST ?? '127.0.0.1';
  // A wildcard listen address is reached on loopback from the same machine.
  const reach = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const fraction = Number(env.INFERNODE_SIM_KV_BYTES_FRACTION ?? NaN);
  const timeoutMs = Number(env.INFERNODE_SIM_KV_TIMEOUT_MS ?? NaN);
  const config = {
    kv_connector: 'InfernodeConnector',
    kv_role: 'kv_both',
    kv_connector_extra_config: {
      url: `ikv://${reach.includes(':') ? `[${reach}]` : reach}:${port}`,
      token: env.INFERNODE_KV_TOKEN ?? '',
      ...(fraction > 0 && fraction <= 1 ? { bytesFraction: fraction } : {}),
      ...(Number.isInteger(timeoutMs) && timeoutMs >= 1 ? { timeoutMs } : {}),
    },
  };
  return ['--kv-transfer-config', JSON.stringify(config)];
}
