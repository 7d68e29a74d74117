import { describe, expect, it } from 'vitest';
import { LiveTable, renderEngineTable, type LiveEngine } from '../../../src/up/live-table.js';

const engine = (id: string, over: Partial<LiveEngine> = {}): LiveEngine => ({
  id,
  model: 'm',
  ready: true,
  stale: false,
  agentSaysDown: false,
  gpuFailed: false,
  ...over,
});

describe('renderEngineTable', () => {
  it('shows each engine’s state and load, then when it was read', () => {
    const lines = renderEngineTable(
      [
        engine('node-a/e0', { running: 3, waiting: 1, kvCacheUsageRatio: 0.42 }),
        engine('node-b/e0', { gpuFailed: true }),
        engine('node-b/e1', { stale: true }),
      ],
      new Date('2026-01-01T12:34:56Z'),
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/node-a\/e0\s+m\s+ok\s+3\s+1\s+42%$/);
    expect(lines[2]).toMatch(/node-b\/e0\s+m\s+gpu-failed\s+-\s+-\s+-$/);
    expect(lines[3]).toMatch(/node-b\/e1\s+m\s+stale /);
    expect(lines[4]).toContain('as of 12:34:56 UTC');
  });

  it('says when the leader does not answer, keeping the last engines', () => {
    const lines = renderEngineTable([engine('node-a/e0')], new Date(), 'leader not answering');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('leader not answering');
  });
});

describe('LiveTable', () => {
  it('replaces its own lines in place and prints log lines above itself', () => {
    const writes: string[] = [];
    const table = new LiveTable({ write: (s: string) => writes.push(s) });
    table.update(['a', 'b']);
    table.update(['c', 'd', 'e']);
    table.print('log line');
    table.clear();
    expect(writes).toEqual([
      '\x1b[Ja\nb\n',
      '\x1b[2F\x1b[Jc\nd\ne\n',
      '\x1b[3F\x1b[Jlog line\nc\nd\ne\n',
      '\x1b[3F\x1b[J',
    ]);
  });
});
