import { describe, expect, it } from 'vitest';
import { SentEngineReports } from '../../../src/agent/sent-engine-reports.js';
import type { EngineReport } from '../../../src/protocol/index.js';

const engine = (id: string, ready = true): EngineReport => ({
  id,
  model: 'm',
  url: `http://${id}`,
  ready,
  adapters: [],
});

describe('SentEngineReports', () => {
  it('carries only the engines whose report changed since the hello, and the ones gone', () => {
    const sent = new SentEngineReports();
    sent.reset([engine('a'), engine('b')]);
    expect(sent.diff([engine('a'), engine('b')])).toBeUndefined();
    const delta = sent.diff([engine('a', false), engine('c')]);
    expect(delta).toEqual({ engines: [engine('a', false), engine('c')], removedEngines: ['b'] });
  });

  it('remembers a delta only once it is marked sent', () => {
    const sent = new SentEngineReports();
    const delta = sent.diff([engine('a')]);
    expect(delta).toEqual({ engines: [engine('a')], removedEngines: [] });
    expect(sent.diff([engine('a')])).toEqual(delta); // not sent: still owed
    sent.sent(delta!);
    expect(sent.diff([engine('a')])).toBeUndefined();
  });
});
