/**
 * The agent's client to the leader as the composition root builds it: the credential of each
 * connection (the static per-node token, or the projected ServiceAccount token re-read each time),
 * how it trusts the leader (a CA file or a pinned fingerprint, or the system's roots), and the
 * channels it carries (commands, KV batches).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { INFERNODE_VERSION, systemRng, type Logger } from '../shared/index.js';
import type { AgentConfig } from './agent-config.js';
import { staticAgentToken } from './agent-auth-config.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { CommandChannel } from './command-channel.js';
import type { KvChannel } from './kv-channel.js';
import { LeaderClient } from './leader-client.js';
import type { LeaderTrust } from './leader-tls.js';

/** What the leader client needs from the composition root. */
export interface LeaderClientWiring {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly commands: CommandChannel;
  readonly kv: KvChannel;
}

/**
 * The credential of each connection: the static per-node token, or the projected
 * ServiceAccount token read anew each time (kubelet rotates it).
 */
function agentCredential(config: AgentConfig): (signal: AbortSignal) => Promise<string> {
  if (config.auth === 'static') {
    const token = staticAgentToken(config);
    return () => Promise.resolve(token);
  }
  return async (signal) =>
    (await readFile(config.serviceAccountTokenFile, { encoding: 'utf8', signal })).trim();
}

/** The configured trust of the leader's TLS, or undefined for none configured. */
function leaderTrust(config: AgentConfig): LeaderTrust | undefined {
  if (config.leaderCaFile === '' && config.leaderFingerprint === '') return undefined;
  return config.leaderFingerprint === ''
    ? { ca: readFileSync(config.leaderCaFile) }
    : { fingerprint: config.leaderFingerprint };
}

/** Builds the client to the leader (it connects once it runs). */
export function buildLeaderClient(wiring: LeaderClientWiring): LeaderClient {
  const { config } = wiring;
  const trust = leaderTrust(config);
  return new LeaderClient({
    url: config.leaderUrl,
    standbyUrls: config.leaderStandbyUrls,
    credential: agentCredential(config),
    ...(trust === undefined ? {} : { trust }),
    node: config.node,
    agentVersion: INFERNODE_VERSION,
    log: wiring.log.child({ component: 'leader-client' }),
    metrics: wiring.metrics,
    rng: systemRng,
    reconnect: config.reconnect,
    commands: wiring.commands,
    kv: wiring.kv,
  });
}
