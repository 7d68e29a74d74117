/** The gateway's splice of the KV load hint into the body it sends an engine. */
import { describe, expect, it } from 'vitest';
import { bodyWithKvHint } from '../../../src/gateway/kv-hint-body.js';
import { parseRequest, type ApiKind } from '../../../src/gateway/parse-request.js';

const request = {};
const hint = { request, engineId: 'e1', absent: { block: 7, hash: 99 } };
const plain = (kind: ApiKind) => ({ kind, hasKvTransferParams: false });
const withHint = (raw: string, kind: ApiKind = 'chat'): Buffer =>
  bodyWithKvHint(Buffer.from(raw), plain(kind), hint, request, 'e1');

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
    const parsed = plain('completions');
    expect(bodyWithKvHint(raw, parsed, hint, {}, 'e1')).toBe(raw);
    expect(bodyWithKvHint(raw, parsed, hint, request, 'e2')).toBe(raw);
    expect(bodyWithKvHint(raw, parsed, undefined, request, 'e1')).toBe(raw);
  });

  it("leaves embeddings and a client's own kv_transfer_params alone", () => {
    const own = Buffer.from(
      '{"model":"m","prompt":"x","kv_transfer_params":{"do_remote_prefill":true}}',
    );
    // What the gateway's own parse says of the body decides it.
    const parsed = parseRequest('completions', own);
    expect(parsed.hasKvTransferParams).toBe(true);
    expect(bodyWithKvHint(own, parsed, hint, request, 'e1')).toBe(own);
    expect(withHint('{"model":"m","input":"x"}', 'embeddings').toString()).toBe(
      '{"model":"m","input":"x"}',
    );
  });
});
