/**
 * Checks across the leader's agent-authentication and TLS keys that single fields cannot
 * express, reported like any other config problem (one line each).
 */
import { isLoopbackHost, type ConfigIssue } from '../shared/index.js';
import type { LeaderConfig } from './leader-adapters.js';

type Checked = Pick<LeaderConfig, 'agents' | 'control'>;

/** Every problem with agents.* and control.tls.*; empty when the combination is sound. */
export function agentAuthIssues(config: Checked): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { agents, control } = config;
  if (agents.auth === 'static' && agents.secret.length < 16)
    issues.push({
      path: 'agents.secret',
      message: 'must be at least 16 characters (INFERNODE_CLUSTER_SECRET) with agents.auth=static',
    });
  const { certFile, keyFile } = control.tls;
  if ((certFile === '') !== (keyFile === ''))
    issues.push({ path: 'control.tls', message: 'certFile and keyFile go together' });
  if (certFile === '' && !isLoopbackHost(control.host) && !agents.allowInsecure)
    issues.push({
      path: 'control.host',
      message: `${control.host} is not loopback: set control.tls.certFile/keyFile, or agents.allowInsecure to serve agents in clear`,
    });
  return issues;
}
