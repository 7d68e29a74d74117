import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../../src/console/web/sse-parser.js';

describe('SseParser', () => {
  it('parses named events, joins data lines and skips keep-alive comments', () => {
    const parser = new SseParser();
    expect(
      parser.push(
        ': keep-alive\n\nevent: snapshot\ndata: {"a":\ndata: 1}\n\nevent: delta\ndata: {}\n\n',
      ),
    ).toEqual([
      { event: 'snapshot', data: '{"a":\n1}' },
      { event: 'delta', data: '{}' },
    ]);
  });

  it('waits for the rest of an event split across chunks, CRLF included', () => {
    const parser = new SseParser();
    const text = 'event: delta\r\ndata: {"seq":7}\r\n\r\ndata: plain\r\n\r\n';
    const events = Array.from({ length: text.length }, (_, i) =>
      parser.push(text.charAt(i)),
    ).flat();
    expect(events).toEqual([
      { event: 'delta', data: '{"seq":7}' },
      { event: 'message', data: 'plain' },
    ]);
  });

  it('dispatches nothing for an event without data and ignores unknown fields', () => {
    const parser = new SseParser();
    expect(parser.push('event: snapshot\nid: 4\nretry: 10\n\n')).toEqual([]);
    expect(parser.push('data\n\n')).toEqual([{ event: 'message', data: '' }]);
  });

  it('refuses an event longer than its bound and recovers after reset', () => {
    const parser = new SseParser(16);
    expect(() => parser.push(`data: ${'x'.repeat(40)}`)).toThrow(/longer than 16/);
    expect(parser.push('data: ok\n\n')).toEqual([{ event: 'message', data: 'ok' }]);
  });
});
