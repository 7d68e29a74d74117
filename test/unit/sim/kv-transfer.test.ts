import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KV_BYTES_FRACTION,
  DEFAULT_KV_LINK_BYTES_PER_S,
  HARDWARE_PROFILES,
  blockPayload,
  decideFetch,
  isBlockPayload,
  parseKvTransferConfig,
  type HardwareProfile,
} from '../../../src/sim/index.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100') as HardwareProfile;

describe('decideFetch (load vs recompute, perf.md §3.4)', () => {
  it('loads over 100 GbE: moving 128 KiB/token beats an 8B prefill', () => {
    const d = decideFetch(h100, 1024, 12.5e9);
    expect(d.transferS).toBeCloseTo((1024 * h100.kvBytesPerToken) / 12.5e9, 12);
    expect(d.transferS).toBeLessThan(d.recomputeS);
    expect(d.fetch).toBe(true);
  });

  it('recomputes over a slow link (1 GbE)', () => {
    const d = decideFetch(h100, 1024, 125e6);
    expect(d.transferS).toBeGreaterThan(d.recomputeS);
    expect(d.fetch).toBe(false);
  });

  it('the break-even link speed splits the decision', () => {
    const tokens = 512;
    const { recomputeS } = decideFetch(h100, tokens, 1);
    const breakEven = (tokens * h100.kvBytesPerToken) / recomputeS;
    expect(decideFetch(h100, tokens, breakEven * 1.01).fetch).toBe(true);
    expect(decideFetch(h100, tokens, breakEven * 0.99).fetch).toBe(false);
  });

  it('never fetches nothing', () => {
    expect(decideFetch(h100, 0, 12.5e9).fetch).toBe(false);
  });
});

describe('blockPayload', () => {
  it('is deterministic per hash, differs between hashes and verifies', () => {
    const a = blockPayload(123_456_789_012_345, 4096);
    expect(blockPayload(123_456_789_012_345, 4096)).toEqual(a);
    expect(blockPayload(123_456_789_012_346, 4096)).not.toEqual(a);
    expect(isBlockPayload(123_456_789_012_345, 4096, a)).toBe(true);
    expect(isBlockPayload(123_456_789_012_346, 4096, a)).toBe(false);
  });

  it('rejects a flipped byte or a wrong size', () => {
    const a = blockPayload(42, 1024);
    const flipped = a.slice();
    flipped[700] = (flipped[700] as number) ^ 1;
    expect(isBlockPayload(42, 1024, flipped)).toBe(false);
    expect(isBlockPayload(42, 1023, a.subarray(0, 1023))).toBe(false);
    expect(isBlockPayload(42, 1024, a.subarray(0, 1000))).toBe(false);
  });
});

describe('parseKvTransferConfig', () => {
  it('is null when absent or empty', () => {
    expect(parseKvTransferConfig(undefined)).toBeNull();
    expect(parseKvTransferConfig('')).toBeNull();
    expect(parseKvTransferConfig('null')).toBeNull();
  });

  it('reads vLLM-shaped JSON with defaults', () => {
    const c = parseKvTransferConfig(
      '{"kv_connector":"InfernodeConnector","kv_role":"kv_both","kv_connector_extra_config":{"url":"ikv://127.0.0.1:7475","token":"t"}}',
    );
    expect(c).toEqual({
      kvConnector: 'InfernodeConnector',
      kvRole: 'kv_both',
      url: 'ikv://127.0.0.1:7475',
      token: 't',
      bytesFraction: DEFAULT_KV_BYTES_FRACTION,
      linkBytesPerS: DEFAULT_KV_LINK_BYTES_PER_S,
      timeoutMs: 2000,
      maxOffloadQueue: 65_536,
      maxOffloadInFlight: 4,
    });
  });

  it('names every bad field in one CONFIG_INVALID', () => {
    let err: unknown;
    try {
      parseKvTransferConfig({
        kv_connector: 'LMCacheConnectorV1',
        kv_role: 'kv_everything',
        kv_connector_extra_config: {
          url: 'http://x',
          bytesFraction: 2,
          maxOffloadInFlight: 0,
          extra: 1,
        },
      });
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('CONFIG_INVALID');
    const message = (err as Error).message;
    for (const part of [
      'kv_connector',
      'kv_role',
      'url',
      'bytesFraction',
      'maxOffloadInFlight',
      '"extra"',
    ])
      expect(message).toContain(part);
  });
});
