import { describe, expect, it } from 'vitest';
import {
  COMMAND_LIMITS,
  decodeAgentMessage,
  decodeLeaderMessage,
} from '../../../src/protocol/index.js';

const command = { v: 1, type: 'command', id: 'c-1', epoch: 3, kind: 'engine.drain', args: {} };
const result = { v: 1, type: 'result', id: 'c-1', kind: 'engine.drain', ok: true };
const failed = {
  ...result,
  ok: false,
  error: { code: 'ENGINE_NOT_FOUND', message: 'no engine x' },
};
const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
const big = (bytes: number) => ({ s: 'x'.repeat(bytes) });

describe('command messages from the leader', () => {
  it('accepts a command (with and without timeoutMs) and a cancel', () => {
    expect(decodeLeaderMessage(JSON.stringify(command)).ok).toBe(true);
    expect(decodeLeaderMessage(JSON.stringify({ ...command, timeoutMs: 5000 })).ok).toBe(true);
    expect(decodeLeaderMessage('{"v":1,"type":"cancel","id":"c-1"}').ok).toBe(true);
  });

  it.each([
    [{ ...command, id: '' }, /command needs an id/],
    [{ ...command, id: 'x'.repeat(COMMAND_LIMITS.idChars + 1) }, /command needs an id/],
    [{ ...command, id: 7 }, /command needs an id/],
    [{ ...command, epoch: -1 }, /epoch/],
    [{ ...command, epoch: 1.5 }, /epoch/],
    [{ ...command, kind: '' }, /kind/],
    [{ ...command, kind: 'k'.repeat(65) }, /kind/],
    [{ ...command, args: [] }, /args must be a JSON object/],
    [{ ...command, args: 'x' }, /args must be a JSON object/],
    [{ ...command, args: big(COMMAND_LIMITS.argsBytes) }, /args is \d+ bytes, over 65536/],
    [{ ...command, args: deep(40) }, /nests deeper than 16/],
    [{ ...command, timeoutMs: 0 }, /timeoutMs/],
    [{ ...command, timeoutMs: COMMAND_LIMITS.maxTimeoutMs + 1 }, /timeoutMs/],
    [{ v: 1, type: 'cancel' }, /cancel needs an id/],
  ])('refuses %j', (message, reason) => {
    const decoded = decodeLeaderMessage(JSON.stringify(message));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

describe('command messages from the agent', () => {
  it('accepts progress, a result with and without value, and a failed result', () => {
    for (const m of [
      { v: 1, type: 'progress', id: 'c-1', progress: { running: 2 } },
      result,
      { ...result, value: { idle: true } },
      failed,
    ])
      expect(decodeAgentMessage(JSON.stringify(m))).toMatchObject({ ok: true });
  });

  it.each([
    [{ v: 1, type: 'progress', id: 'c-1' }, /progress must be a JSON object/],
    [
      { v: 1, type: 'progress', id: 'c-1', progress: big(COMMAND_LIMITS.progressBytes) },
      /over 4096/,
    ],
    [{ ...result, id: '' }, /result needs an id/],
    [{ ...result, kind: undefined }, /result needs a kind/],
    [{ ...result, ok: 'yes' }, /ok must be a boolean/],
    [{ ...result, value: [1] }, /value must be a JSON object/],
    [{ ...result, value: big(COMMAND_LIMITS.valueBytes) }, /over 65536/],
    [{ ...failed, error: undefined }, /needs an error/],
    [{ ...failed, error: { code: 'lower', message: 'm' } }, /UPPER_SNAKE/],
    [{ ...failed, error: { code: 'X', message: 'm'.repeat(3000) } }, /message must be a string/],
    [{ ...failed, error: { code: 'X' } }, /message must be a string/],
  ])('refuses %#', (message, reason) => {
    const decoded = decodeAgentMessage(JSON.stringify(message));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('validates an engine report draining flag: true or absent', () => {
    const hello = (draining: unknown) =>
      JSON.stringify({
        v: 1,
        type: 'hello',
        node: 'n',
        agentVersion: 't',
        seq: 1,
        snapshot: {
          engines: [{ id: 'n/e', model: 'm', url: 'u', ready: true, adapters: [], draining }],
          gpus: [],
        },
      });
    expect(decodeAgentMessage(hello(true)).ok).toBe(true);
    expect(decodeAgentMessage(hello(undefined)).ok).toBe(true);
    const bad = decodeAgentMessage(hello(false));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/draining must be true/);
  });

  it('never throws on a deeply nested value', () => {
    const text = `{"v":1,"type":"result","id":"a","kind":"k","ok":true,"value":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    const decoded = decodeAgentMessage(text);
    expect(decoded.ok).toBe(false);
  });
});
