import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentTokenMac,
  deriveAgentToken,
  nodeOfAgentToken,
  parseAgentToken,
} from '../../../src/protocol/index.js';

const SECRET = 'cluster-secret-0123456789';

describe('per-node agent tokens', () => {
  it('is base64url(HMAC-SHA256(secret, "infernode-agent:" + node)) after the node name', () => {
    const mac = createHmac('sha256', SECRET)
      .update('infernode-agent:gpu-1')
      .digest()
      .toString('base64url');
    expect(agentTokenMac(SECRET, 'gpu-1')).toBe(mac);
    expect(deriveAgentToken(SECRET, 'gpu-1')).toBe(`gpu-1.${mac}`);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives every node its own token', () => {
    expect(deriveAgentToken(SECRET, 'a')).not.toBe(deriveAgentToken(SECRET, 'b'));
    expect(agentTokenMac(SECRET, 'a')).not.toBe(agentTokenMac('other-secret-0123456', 'a'));
  });

  it('maps a token the secret made to its node, dots in node names included', () => {
    const node = 'ip-10-0-0-7.ec2.internal';
    expect(parseAgentToken(deriveAgentToken(SECRET, node))?.node).toBe(node);
    expect(nodeOfAgentToken(SECRET, deriveAgentToken(SECRET, node))).toBe(node);
  });

  it('refuses a token another secret made, a MAC moved to another node, and malformed text', () => {
    const mac = agentTokenMac(SECRET, 'a');
    for (const token of [
      deriveAgentToken('another-secret-012345', 'a'),
      `b.${mac}`,
      `a.${mac.slice(1)}`,
      mac,
      'a.',
      `.${mac}`,
      '',
    ])
      expect(nodeOfAgentToken(SECRET, token), token).toBeUndefined();
  });
});
