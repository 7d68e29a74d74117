import { describe, expect, it } from 'vitest';
import {
  agentAuthIssues,
  normalizeFingerprint,
  staticAgentToken,
} from '../../../src/agent/agent-auth-config.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import { isLoopbackHost } from '../../../src/shared/index.js';

const SECRET = 'cluster-secret-0123456789';
const base = {
  node: 'gpu-1',
  auth: 'static',
  token: deriveAgentToken(SECRET, 'gpu-1'),
  clusterSecret: '',
  leaderUrl: 'ws://127.0.0.1:8081/v1/agents',
  leaderCaFile: '',
  leaderFingerprint: '',
  allowInsecure: false,
};
const issues = (over: Partial<typeof base>): string[] =>
  agentAuthIssues({ ...base, ...over }).map((i) => `${i.path}: ${i.message}`);

describe('agent auth config', () => {
  it('accepts its own node’s token, or the secret to derive it from', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ token: '', clusterSecret: SECRET })).toEqual([]);
    expect(staticAgentToken({ ...base, token: '', clusterSecret: SECRET })).toBe(base.token);
  });

  it('wants exactly one credential, and a token for its own node', () => {
    expect(issues({ token: '' })).toEqual([expect.stringMatching(/^token: give exactly one/)]);
    expect(issues({ clusterSecret: SECRET })).toHaveLength(1);
    expect(issues({ token: deriveAgentToken(SECRET, 'gpu-2') })).toEqual([
      'token: not a token for node gpu-1 (expected <node>.<mac>)',
    ]);
    expect(issues({ auth: 'kubernetes', token: '' })).toEqual([]);
  });

  it('refuses plain ws:// to a non-loopback leader unless allowInsecure', () => {
    const remote = 'ws://10.0.0.5:8081/v1/agents';
    expect(issues({ leaderUrl: remote })).toEqual([
      'leaderUrl: plain ws:// to 10.0.0.5 sends the token in clear: use wss:// or set allowInsecure',
    ]);
    expect(issues({ leaderUrl: remote, allowInsecure: true })).toEqual([]);
    expect(issues({ leaderUrl: 'wss://leader.example:8081/v1/agents' })).toEqual([]);
    expect(issues({ leaderUrl: 'ws://localhost:8081/v1/agents' })).toEqual([]);
    expect(issues({ leaderUrl: 'ws://[::1]:8081/v1/agents' })).toEqual([]);
  });

  it('knows loopback hosts and spells fingerprints one way', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', 'leader.local', '::', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(normalizeFingerprint('AB:CD:01')).toBe('abcd01');
  });
});
