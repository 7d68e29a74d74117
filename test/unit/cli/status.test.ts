import { describe, expect, it } from 'vitest';
import { fetchFailure, renderStatus } from '../../../src/cli/status-command.js';

describe('renderStatus', () => {
  it('shows nodes with agent and GPU state, and engines with their state and load', () => {
    const lines = renderStatus({
      leader: 'l-0',
      epoch: 3,
      version: '0.1.0',
      ejected: ['b/e0'],
      nodes: [
        {
          node: 'a',
          connected: true,
          agentVersion: '0.1.0',
          gpus: [
            { index: 0, health: 'healthy' },
            { index: 1, health: 'failed' },
          ],
        },
        { node: 'b', connected: false, agentVersion: '0.1.0', gpus: [] },
      ],
      engines: [
        {
          id: 'a/e0',
          model: 'm',
          ready: true,
          stale: false,
          agentSaysDown: false,
          gpuFailed: false,
          running: 2,
          waiting: 0,
          kvCacheUsageRatio: 0.25,
        },
        {
          id: 'a/e1',
          model: 'm',
          ready: true,
          stale: false,
          agentSaysDown: false,
          gpuFailed: true,
        },
        {
          id: 'b/e0',
          model: 'm',
          ready: true,
          stale: true,
          agentSaysDown: false,
          gpuFailed: false,
        },
      ],
    });
    const text = lines.join('\n');
    expect(text).toMatch(/leader l-0 {2}epoch 3/);
    expect(text).toMatch(/a\s+connected\s+0:healthy 1:failed/);
    expect(text).toMatch(/b\s+lost\s+-/);
    expect(text).toMatch(/a\/e0\s+m\s+ok\s+2\s+0\s+25%/);
    expect(text).toMatch(/a\/e1\s+m\s+gpu-failed/);
    expect(text).toMatch(/b\/e0\s+m\s+ejected/);
  });
});

describe('fetchFailure', () => {
  it('says why the leader could not be read, from the cause fetch hides', () => {
    const refused = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    expect(fetchFailure(refused, 5000)).toMatch(/^connection refused/);
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(fetchFailure(timeout, 5000)).toBe('no answer within 5000 ms');
    expect(fetchFailure(new Error('it answered HTTP 503'), 5000)).toBe('it answered HTTP 503');
  });
});
