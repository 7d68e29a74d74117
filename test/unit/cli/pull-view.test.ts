import { describe, expect, it } from 'vitest';
import {
  LOCAL_NODE,
  applyPullLine,
  describeNode,
  formatBytes,
  formatEta,
} from '../../../src/cli/pull-view.js';

const progress = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'progress',
  key: 'k',
  uri: 's3://m/llama',
  totalBytes: 4096,
  bytesDone: 1024,
  bytesPerSecond: 512,
  partsInFlight: 2,
  files: [
    { path: 'a.safetensors', size: 2048, bytesDone: 1024, state: 'fetching' },
    { path: 'config.json', size: 2048, bytesDone: 0, state: 'queued' },
  ],
  ...over,
});

describe('pull view', () => {
  it('folds agent lines (no node) into the local view, then its result', () => {
    let views = applyPullLine(new Map(), progress());
    expect(views.get(LOCAL_NODE)).toMatchObject({ bytesDone: 1024, totalBytes: 4096 });
    expect(describeNode(views.get(LOCAL_NODE)!)).toBe(
      'local: 1.0 KiB / 4.0 KiB, 512 B/s, ETA 6s, files 0/2',
    );
    views = applyPullLine(views, {
      type: 'result',
      ok: true,
      key: 'k',
      path: '/cache/weights/models/k',
      bytes: 4096,
    });
    expect(describeNode(views.get(LOCAL_NODE)!)).toBe(
      'local: done, 4.0 KiB at /cache/weights/models/k',
    );
  });

  it('reads the file counts of a command progress relayed by the leader', () => {
    const views = applyPullLine(new Map(), progress({ node: 'a', files: 3, filesDone: 1 }));
    expect(views.get('a')).toMatchObject({ filesTotal: 3, filesDone: 1 });
  });

  it('keeps nodes apart and shows a failure with its code', () => {
    let views = applyPullLine(new Map(), progress({ node: 'a' }));
    views = applyPullLine(views, progress({ node: 'b', bytesDone: 4000 }));
    views = applyPullLine(views, {
      type: 'result',
      node: 'b',
      ok: false,
      code: 'WEIGHTS_DISK_FULL',
      message: 'no space left',
    });
    expect([...views.keys()]).toEqual(['a', 'b']);
    expect(views.get('a')!.outcome).toBeUndefined();
    expect(describeNode(views.get('b')!)).toBe('b: failed WEIGHTS_DISK_FULL: no space left');
  });

  it('ignores lines it does not understand and survives malformed fields', () => {
    const start = applyPullLine(new Map(), progress());
    expect(applyPullLine(start, 'text')).toEqual(start);
    expect(applyPullLine(start, { type: 'hint', node: 'x' })).toEqual(start);
    const odd = applyPullLine(new Map(), { type: 'progress', bytesDone: 'x', files: [null, 3] });
    expect(odd.get(LOCAL_NODE)).toMatchObject({ bytesDone: 0, filesTotal: 0, filesDone: 0 });
  });

  it('formats sizes and ETAs', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GiB');
    expect(formatEta({ totalBytes: 100, bytesDone: 100, bytesPerSecond: 0 })).toBe('-');
    expect(formatEta({ totalBytes: 6500, bytesDone: 0, bytesPerSecond: 100 })).toBe('1m05s');
  });
});
