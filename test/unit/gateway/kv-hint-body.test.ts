/** The gateway's splice of the KV load hint into the body it sends an engine. */
import { describe, expect, it } from 'vitest';
import { bodyWithKvHint } from '../../../src/gateway/kv-hint-body.js';

const request = {};
const hint = { request, engineId: 'e1', absent: { block: 7, hash: 99 } };
const withHint = (raw: string, kind: 'chat' | 'completions' | 'embeddings' = 'chat'): Buffer =>
  bodyWithKvHint(Buffer.from(raw), kind, hint, request, 'e1');

describe('bodyWithKvHint', () => {
  it("adds kv_transfer_params and leaves the client's fields as they were", () => {
    const raw = ' \n{"model":"m","messages":[{"role":"user","content":"hi {"}],"stream":true}';
    const sent = JSON.parse(withHint(raw).toString()) as Record<string, unknown>;
    expect(sent).toEqual({
      ...(JSON.parse(raw) as object),
      kv_transfer_params: { infernode: { l1_absent_block: 7, l1_absent_hash: 99 } },
    });
  });

  it('keeps an empty object valid JSON', () => {
    expect(JSON.parse(withHint('{ }').toString())).toEqual({
      kv_transfer_params: { infernode: { l1_absent_block: 7, l1_absent_hash: 99 } },
    });
  });

  it("sends the client's bytes untouched when the hint is not for this request and engine", () => {
    const raw = Buffer.from('{"model":"m","prompt":"x"}');
    expect(bodyWithKvHint(raw, 'completions', hint, {}, 'e1')).toBe(raw);
    expect(bodyWithKvHint(raw, 'completions', hint, request, 'e2')).toBe(raw);
    expect(bodyWithKvHint(raw, 'completions', undefined, request, 'e1')).toBe(raw);
  });

  it("leaves embeddings and a client's own kv_transfer_params alone", () => {
    const own = '{"model":"m","prompt":"x","kv_transfer_params":{"do_remote_prefill":true}}';
    expect(withHint(own, 'completions').toString()).toBe(own);
    expect(withHint('{"model":"m","input":"x"}', 'embeddings').toString()).toBe(
      '{"model":"m","input":"x"}',
    );
  });
});
