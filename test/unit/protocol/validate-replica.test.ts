import { describe, expect, it } from 'vitest';
import {
  decodeReplicaFeedMessage,
  decodeReplicaFollowerMessage,
} from '../../../src/protocol/index.js';

const engine = { id: 'a/e0', model: 'm', url: 'u', ready: true, adapters: [] };
const welcome = {
  v: 1,
  type: 'replica.welcome',
  leader: 'l',
  epoch: 1,
  seq: 0,
  nodes: [
    { node: 'a', agentVersion: '1', connected: true, snapshot: { engines: [engine], gpus: [] } },
  ],
  prefixes: [{ endpoint: 'a/e0', hashes: [1, 2, 3] }],
};

describe('replica feed validation', () => {
  it('accepts a well-formed welcome, delta and follower insertion', () => {
    expect(decodeReplicaFeedMessage(JSON.stringify(welcome)).ok).toBe(true);
    const state = {
      v: 1,
      type: 'replica.state',
      seq: 1,
      node: 'a',
      delta: { v: 1, type: 'state', seq: 2 },
    };
    expect(decodeReplicaFeedMessage(JSON.stringify(state)).ok).toBe(true);
    const prefix = { v: 1, type: 'replica.prefix', insertions: [{ endpoint: 'e', hashes: [4] }] };
    expect(decodeReplicaFollowerMessage(JSON.stringify(prefix)).ok).toBe(true);
  });

  it.each([
    ['another version', { ...welcome, v: 2 }, /version/],
    ['no seq', { ...welcome, seq: undefined }, /seq/],
    [
      'a bad relayed engine',
      {
        ...welcome,
        nodes: [{ ...welcome.nodes[0], snapshot: { engines: [{ id: 'x' }], gpus: [] } }],
      },
      /engine/,
    ],
    ['negative hashes', { ...welcome, prefixes: [{ endpoint: 'e', hashes: [-1] }] }, /hashes/],
    [
      'a delta that is no state',
      { v: 1, type: 'replica.state', seq: 1, node: 'a', delta: { v: 1, type: 'hello' } },
      /state/,
    ],
    ['an unknown type', { v: 1, type: 'replica.nope', seq: 1 }, /unknown/],
  ])('refuses %s with a reason', (_name, message, reason) => {
    const decoded = decodeReplicaFeedMessage(JSON.stringify(message));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('refuses a follower message that is not JSON or of another type', () => {
    expect(decodeReplicaFollowerMessage('{').ok).toBe(false);
    expect(decodeReplicaFollowerMessage(JSON.stringify({ v: 1, type: 'replica.welcome' })).ok).toBe(
      false,
    );
  });
});
