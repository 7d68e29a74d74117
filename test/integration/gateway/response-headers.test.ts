import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../../src/shared/index.js';
import {
  FixedCatalog,
  anEngine,
  closeEngineServer,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let engine: http.Server | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await closeEngineServer(engine);
  engine = undefined;
  gw = undefined;
});

const COMPLETION = JSON.stringify({
  id: 'c',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

/** An engine whose answers carry mixed-case, repeated, hop-by-hop and gateway-owned headers. */
async function anEngineWithHeaders(): Promise<string> {
  engine = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const stream = (JSON.parse(text) as { stream?: boolean }).stream === true;
      res.writeHead(200, [
        'Content-Type',
        stream ? 'text/event-stream' : 'application/json',
        'X-Engine-Build',
        'b1',
        'set-cookie',
        'a=1',
        'set-cookie',
        'b=2',
        'Keep-Alive',
        'timeout=77',
        'Proxy-Connection',
        'keep-alive',
        'Target-Pod',
        'spoofed',
      ]);
      if (stream) {
        res.write('data: {"choices":[{"delta":{"content":"ok"}}]}\n\n');
        res.end('data: [DONE]\n\n');
      } else res.end(COMPLETION);
    });
  });
  return `http://127.0.0.1:${await listen(engine, 0, '127.0.0.1')}`;
}

/** POSTs a chat request; resolves with the raw header lines and the body. */
function post(url: string, stream: boolean): Promise<{ raw: string[]; body: string }> {
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ raw: res.rawHeaders, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every value sent under `name` (any case), in order. */
const valuesOf = (raw: string[], name: string): string[] =>
  raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [raw[i + 1] ?? ''] : []));

describe('gateway: the engine headers it relays', () => {
  it.each([false, true])(
    'keeps end-to-end headers (repeated ones too), drops hop-by-hop ones, and its own replace the engine’s (stream %s)',
    async (stream) => {
      const url = await anEngineWithHeaders();
      gw = await startGateway(new FixedCatalog([anEngine('e0', url)]));
      const { raw, body } = await post(gw.url, stream);
      expect(body).toContain(stream ? '[DONE]' : '"usage"');
      expect(valuesOf(raw, 'x-engine-build')).toEqual(['b1']);
      expect(valuesOf(raw, 'set-cookie')).toEqual(['a=1', 'b=2']);
      expect(valuesOf(raw, 'target-pod')).toEqual(['e0']);
      expect(valuesOf(raw, 'proxy-connection')).toEqual([]);
      expect(valuesOf(raw, 'keep-alive')).not.toContain('timeout=77');
      expect(valuesOf(raw, 'request-id')).toHaveLength(1);
      expect(valuesOf(raw, 'content-type')).toEqual([
        stream ? 'text/event-stream' : 'application/json',
      ]);
    },
  );
});
