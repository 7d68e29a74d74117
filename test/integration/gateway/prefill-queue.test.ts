import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { countTokens } from '../../../src/engine/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let gw: Harness | undefined;
let engine: http.Server | undefined;
afterEach(async () => {
  await gw?.stop();
  engine?.closeAllConnections();
  await new Promise((r) => engine?.close(r));
  gw = undefined;
  engine = undefined;
});

/** An engine whose streamed answer the test releases step by step. */
async function steppedEngine(): Promise<{
  url: string;
  step: () => void;
  hasRequest: () => boolean;
}> {
  const steps: (() => void)[] = [];
  let pending: http.ServerResponse | undefined;
  engine = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Send the headers now, as vLLM does before its first token (Node holds them until a write).
    res.flushHeaders();
    pending = res;
  });
  steps.push(() => pending?.write('data: {"choices":[{"index":0,"text":"a"}]}\n\n'));
  steps.push(() => pending?.end('data: [DONE]\n\n'));
  await new Promise<void>((r) => engine?.listen(0, '127.0.0.1', r));
  const { port } = engine.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    step: () => steps.shift()?.(),
    hasRequest: () => pending !== undefined,
  };
}

describe('gateway prefill queue', () => {
  it('counts a prompt as queued prefill until the engine sends its first byte', async () => {
    const stepped = await steppedEngine();
    gw = await startGateway(new FixedCatalog([anEngine('a', stepped.url)]));
    const prompt = 'tell me about queues. '.repeat(50);
    const response = fetch(`${gw.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt, stream: true, max_tokens: 4 }),
    });
    const tracker = gw.inFlight;
    // Headers alone do not end the prefill: vLLM sends them before the first token.
    // The gateway counts the prompt before it dispatches: wait until the engine holds it too,
    // else the first step would write to no one.
    await waitFor(() => stepped.hasRequest(), 'the engine has the request');
    await waitFor(() => tracker.prefillTokens('n/a') > 0, 'prompt queued for prefill');
    expect(tracker.prefillTokens('n/a')).toBe(countTokens(prompt));
    expect(tracker.get('n/a')).toBe(1);
    stepped.step();
    await waitFor(() => tracker.prefillTokens('n/a') === 0, 'prefill done at the first byte');
    expect(tracker.get('n/a')).toBe(1);
    stepped.step();
    const body = await (await response).text();
    expect(body).toContain('[DONE]');
    await waitFor(() => tracker.get('n/a') === 0, 'request done');
    expect(tracker.prefillTokens('n/a')).toBe(0);
  });
});
