/**
 * Checks across the agent's credential and TLS keys that single fields cannot express, and the
 * pure decision of which credential the agent presents. One config issue per problem.
 */
import { deriveAgentToken, parseAgentToken } from '../protocol/index.js';
import { isLoopbackHost, type ConfigIssue } from '../shared/index.js';
import type { AgentConfig } from './agent-config.js';

type Checked = Pick<
  AgentConfig,
  | 'node'
  | 'auth'
  | 'token'
  | 'clusterSecret'
  | 'leaderUrl'
  | 'leaderCaFile'
  | 'leaderFingerprint'
  | 'allowInsecure'
> &
  Partial<Pick<AgentConfig, 'leaderStandbyUrls'>>;

/** Every problem with the agent's credential and leader-URL keys; `node` is already resolved. */
export function agentAuthIssues(config: Checked): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.auth === 'static') {
    const { token, clusterSecret } = config;
    if ((token === '') === (clusterSecret === ''))
      issues.push({
        path: 'token',
        message:
          'give exactly one of token (INFERNODE_AGENT_TOKEN) or clusterSecret (INFERNODE_CLUSTER_SECRET)',
      });
    else if (clusterSecret !== '' && clusterSecret.length < 16)
      issues.push({ path: 'clusterSecret', message: 'must be at least 16 characters' });
    else if (token !== '' && parseAgentToken(token)?.node !== config.node)
      issues.push({
        path: 'token',
        message: `not a token for node ${config.node} (expected <node>.<mac>)`,
      });
  }
  for (const [path, text] of [
    ['leaderUrl', config.leaderUrl] as const,
    ...(config.leaderStandbyUrls ?? []).map((u) => ['leaderStandbyUrls', u] as const),
  ]) {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url?.protocol === 'ws:' && !isLoopbackHost(url.hostname) && !config.allowInsecure)
      issues.push({
        path,
        message: `plain ws:// to ${url.hostname} sends the token in clear: use wss:// or set allowInsecure`,
      });
  }
  if (config.leaderCaFile !== '' && config.leaderFingerprint !== '')
    issues.push({
      path: 'leaderFingerprint',
      message: 'give leaderCaFile or leaderFingerprint, not both',
    });
  return issues;
}

/** The static-mode token this agent presents: the one it was given, or derived from the secret. */
export function staticAgentToken(
  config: Pick<Checked, 'node' | 'token' | 'clusterSecret'>,
): string {
  return config.token !== '' ? config.token : deriveAgentToken(config.clusterSecret, config.node);
}

/** A fingerprint as lower-case hex without colons, so any common spelling compares equal. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/:/g, '').toLowerCase();
}
