import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeLeaderMessage } from '../../../src/protocol/index.js';

const hello = {
  v: 1,
  type: 'hello',
  node: 'n',
  agentVersion: '0.1.0',
  seq: 1,
  snapshot: {
    engines: [{ id: 'n/e', model: 'm', url: 'http://x', ready: true, adapters: [] }],
    gpus: [],
  },
};

const gpu = { index: 0, uuid: 'u', health: 'healthy', reasons: [] };
const facts = {
  temperatureC: 41,
  memoryUsedBytes: 0,
  memoryTotalBytes: 85_520_809_984,
  powerW: 70,
  utilizationPct: null,
};

describe('decodeAgentMessage', () => {
  it('accepts a GPU with and without its rounded facts', () => {
    for (const g of [gpu, { ...gpu, facts }]) {
      const decoded = decodeAgentMessage(
        JSON.stringify({ v: 1, type: 'state', seq: 1, gpus: [g] }),
      );
      expect(decoded.ok).toBe(true);
    }
  });

  it('accepts a valid hello and state', () => {
    expect(decodeAgentMessage(JSON.stringify(hello)).ok).toBe(true);
    expect(
      decodeAgentMessage(JSON.stringify({ v: 1, type: 'state', seq: 2, removedEngines: ['n/e'] }))
        .ok,
    ).toBe(true);
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ ...hello, v: 2 }), /protocol version 2 unsupported/],
    [JSON.stringify({ v: 1, type: 'nope' }), /unknown message type/],
    [JSON.stringify({ ...hello, node: '' }), /hello needs/],
    [JSON.stringify({ ...hello, snapshot: { engines: [{ id: 'x' }], gpus: [] } }), /engine needs/],
    [
      JSON.stringify({
        ...hello,
        snapshot: {
          engines: [{ id: 'x', model: 'm', url: 'u', ready: 'yes', adapters: [] }],
          gpus: [],
        },
      }),
      /ready must be a boolean/,
    ],
    [JSON.stringify({ v: 1, type: 'state', seq: -1 }), /state needs seq/],
    [
      JSON.stringify({
        v: 1,
        type: 'state',
        seq: 1,
        gpus: [{ index: 0, uuid: 'u', health: 'meh', reasons: [] }],
      }),
      /bad health/,
    ],
    [
      JSON.stringify({
        v: 1,
        type: 'state',
        seq: 1,
        gpus: [{ ...gpu, facts: { ...facts, temperatureC: 'hot' } }],
      }),
      /facts.temperatureC must be a non-negative number or null/,
    ],
    [
      JSON.stringify({ v: 1, type: 'state', seq: 1, gpus: [{ ...gpu, facts: [] }] }),
      /facts is not an object/,
    ],
    [
      JSON.stringify({
        ...hello,
        snapshot: {
          engines: Array.from({ length: 300 }, () => hello.snapshot.engines[0]),
          gpus: [],
        },
      }),
      /more than 256/,
    ],
  ])('rejects %s', (raw, reason) => {
    const decoded = decodeAgentMessage(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

describe('decodeLeaderMessage', () => {
  it('accepts welcome and resync, rejects others', () => {
    expect(decodeLeaderMessage('{"v":1,"type":"welcome","leader":"l","epoch":3}').ok).toBe(true);
    expect(decodeLeaderMessage('{"v":1,"type":"resync","reason":"gap"}').ok).toBe(true);
    expect(decodeLeaderMessage('{"v":1,"type":"welcome","leader":"l"}').ok).toBe(false);
  });

  it('accepts a welcome with or without features, and refuses a malformed features list', () => {
    const welcome = { v: 1, type: 'welcome', leader: 'l', epoch: 3 };
    const decode = (extra: object) => decodeLeaderMessage(JSON.stringify({ ...welcome, ...extra }));
    expect(decode({ features: ['kv-binary'] })).toEqual({
      ok: true,
      message: { ...welcome, features: ['kv-binary'] },
    });
    expect(decode({ features: 'kv-binary' })).toEqual({
      ok: false,
      reason: 'welcome features must be a short list of names',
    });
  });
});
