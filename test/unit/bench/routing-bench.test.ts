import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/engine/index.js';
import { hashBlocks } from '../../../src/kvcache/index.js';
import {
  engineCounters,
  percentiles,
  summarizeStrategy,
  type ReplaySample,
} from '../../../src/bench/routing-stats.js';
import { ttftChartSvg } from '../../../src/bench/routing-svg.js';
import { acceptance } from '../../../src/bench/routing-table.js';
import {
  arrivalOffsetsMs,
  blockText,
  parseTrace,
  promptFor,
  traceWindow,
  type TraceEntry,
} from '../../../src/bench/routing-trace.js';

const entry = (ids: number[], inputLength: number, ts = 0): TraceEntry => ({
  timestampMs: ts,
  inputLength,
  outputLength: 10,
  hashIds: ids,
});

describe('trace parsing', () => {
  it('parses Mooncake JSONL, sorts by timestamp and windows by duration', () => {
    const text = [
      '{"timestamp": 3000, "input_length": 600, "output_length": 5, "hash_ids": [0, 2]}',
      '',
      '{"timestamp": 0, "input_length": 100, "output_length": 7, "hash_ids": [0]}',
    ].join('\n');
    const t = parseTrace(text);
    expect(t.map((e) => e.timestampMs)).toEqual([0, 3000]);
    expect(t[0]).toEqual({ timestampMs: 0, inputLength: 100, outputLength: 7, hashIds: [0] });
    expect(traceWindow(t, 2)).toHaveLength(1);
    expect(traceWindow(t, 0)).toHaveLength(2);
    expect(arrivalOffsetsMs(t, 2, 3)).toEqual([0, 500]);
  });

  it('rejects a malformed line with its number', () => {
    expect(() => parseTrace('{"timestamp": 0, "input_length": -1}')).toThrow(/line 1/);
  });
});

describe('prompt synthesis', () => {
  it('makes each hash block exactly 512 stand-in tokens', () => {
    expect(Buffer.byteLength(blockText(7), 'utf8')).toBe(2048);
    expect(tokenize(blockText(7))).toHaveLength(512);
    expect(blockText(7)).toBe(blockText(7));
    expect(blockText(7)).not.toBe(blockText(8));
  });

  it('gives equal 16-token KV blocks for equal hash ids, different ones after', () => {
    const a = promptFor(entry([0, 1, 2], 1300), 1);
    const b = promptFor(entry([0, 1, 5], 1400), 2);
    expect(tokenize(a)).toHaveLength(1300);
    expect(tokenize(b)).toHaveLength(1400);
    const ha = hashBlocks(tokenize(a), 16, 0);
    const hb = hashBlocks(tokenize(b), 16, 0);
    // Blocks 0..63 (two 512-token blocks = 64 KV blocks) are shared, block 64 on differs.
    expect(ha.slice(0, 64)).toEqual(hb.slice(0, 64));
    expect(ha[64]).not.toBe(hb[64]);
  });

  it('pads with text unique to the request when the blocks are too short', () => {
    const a = promptFor(entry([3], 600), 1);
    const b = promptFor(entry([3], 600), 2);
    expect(tokenize(a)).toHaveLength(600);
    expect(a.slice(0, 2048)).toBe(b.slice(0, 2048));
    expect(a).not.toBe(b);
  });
});

describe('percentiles and summary', () => {
  it('computes nearest-rank percentiles and the mean', () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(p).toEqual({ mean: 50.5, p50: 50, p90: 90, p99: 99 });
  });

  it('scales to trace time, separates rejections from errors, reads engine counters', () => {
    const base: ReplaySample = {
      i: 0,
      status: 200,
      ok: true,
      ttftMs: 10,
      e2eMs: 110,
      promptTokens: 100,
      cachedTokens: 50,
      outputTokens: 11,
      pod: 'node-0-engine-0',
      error: '',
    };
    const samples: ReplaySample[] = [
      base,
      { ...base, i: 1, status: 400, ok: false, error: "This model's maximum context length is 8" },
      { ...base, i: 2, status: 0, ok: false, error: 'timeout' },
    ];
    const metrics = [
      'vllm:prefix_cache_hits_total{engine="0",model_name="m"} 30',
      'vllm:prefix_cache_queries_total{engine="0",model_name="m"} 120',
      'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1"} 1',
      'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf"} 1',
      'vllm:time_to_first_token_seconds_sum{engine="0"} 0.02',
      'vllm:time_to_first_token_seconds_count{engine="0"} 1',
    ].join('\n');
    const r = summarizeStrategy(
      'random',
      { samples, sendSpanMs: 0, wallMs: 1000, lagMaxMs: 0 },
      2,
      engineCounters([metrics, metrics]),
    );
    expect(r).toMatchObject({ requests: 3, completed: 1, rejected: 1, errors: 1 });
    expect(r.ttftMs.mean).toBe(20);
    expect(r.tpotMs.p50).toBe(20); // (110 − 10) × 2 / 10
    expect(r.prefixHitRatioUsage).toBe(0.5);
    expect(r.prefixHitRatioEngines).toBe(0.25);
    expect(r.engineTtftMs.mean).toBe(20);
    expect(r.outputTokensPerS).toBe(5.5);
    expect(r.perEngineRequests).toEqual({ 'node-0-engine-0': 1 });
  });
});

describe('chart and verdict', () => {
  const bars = ['random', 'least-request', 'prefix-cache', 'auto'].map((s, i) => ({
    strategy: s,
    mean: 1000 - i * 200,
    p50: 800,
    p90: 1500,
    p99: 3000 - i * 100,
  }));

  it('draws one bar group per strategy', () => {
    const svg = ttftChartSvg('TTFT <test>', bars);
    expect(svg.match(/<g class="strategy"/g)).toHaveLength(4);
    for (const b of bars) expect(svg).toContain(`data-strategy="${b.strategy}"`);
    expect(svg).toContain('TTFT &#60;test&#62;');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('judges the prefix-aware strategies against random and least-request', () => {
    const mk = (strategy: string, mean: number, p99: number, errors = 0) =>
      ({ strategy, ttftMs: { mean, p50: 0, p90: 0, p99 }, errors }) as never;
    const v = acceptance([
      mk('random', 1000, 5000),
      mk('least-request', 700, 3000),
      mk('prefix-cache', 500, 2900),
      mk('auto', 560, 3100),
    ]);
    expect(v.map((x) => [x.strategy, x.met])).toEqual([
      ['prefix-cache', true],
      ['auto', false],
    ]);
  });
});
