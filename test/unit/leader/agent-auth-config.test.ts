import { describe, expect, it } from 'vitest';
import { agentAuthIssues } from '../../../src/leader/agent-auth-config.js';

const base = {
  agents: {
    auth: 'static',
    secret: 'cluster-secret-0123456789',
    audience: 'infernode',
    serviceAccount: 'system:serviceaccount:infernode-system:infernode-agent',
    reviewCacheMs: 60_000,
    reviewCacheMax: 10_000,
    allowInsecure: false,
    staleAfterMs: 3000,
    pingIntervalMs: 1000,
    forgetAfterMs: 600_000,
    maxUndiscoveredNodes: 256,
    kvBinary: true,
  },
  control: { host: '127.0.0.1', port: 8081, token: '', tls: { certFile: '', keyFile: '' } },
};
const paths = (over: { agents?: object; control?: object }): string[] =>
  agentAuthIssues({
    agents: { ...base.agents, ...over.agents },
    control: { ...base.control, ...over.control },
  }).map((i) => i.path);

describe('leader agent-auth config', () => {
  it('accepts plain ws on loopback with a secret', () => {
    expect(paths({})).toEqual([]);
  });
  it('needs a secret in static mode only', () => {
    expect(paths({ agents: { secret: '' } })).toEqual(['agents.secret']);
    expect(paths({ agents: { secret: '', auth: 'kubernetes' } })).toEqual([]);
  });
  it('refuses plain agent traffic off loopback unless TLS is on or it is explicitly allowed', () => {
    expect(paths({ control: { host: '0.0.0.0' } })).toEqual(['control.host']);
    expect(paths({ control: { host: '0.0.0.0' }, agents: { allowInsecure: true } })).toEqual([]);
    expect(
      paths({ control: { host: '0.0.0.0', tls: { certFile: 'c.pem', keyFile: 'k.pem' } } }),
    ).toEqual([]);
  });
  it('wants the certificate and its key together', () => {
    expect(paths({ control: { tls: { certFile: 'c.pem', keyFile: '' } } })).toEqual([
      'control.tls',
    ]);
  });
});
