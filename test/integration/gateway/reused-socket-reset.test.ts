import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { startEngineFixture, type EngineFixture } from '../../helpers/engine-fixture.js';

let fixture: EngineFixture | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await fixture?.close();
  gw = undefined;
  fixture = undefined;
});

describe('gateway: resets on reused keep-alive connections', () => {
  it('retries a reset on a reused socket once on a fresh connection, without ejecting the engine', async () => {
    fixture = await startEngineFixture({ knobs: { resetReusedSockets: true } });
    gw = await startGateway(new FixedCatalog([anEngine('only', fixture.url)]));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    for (let i = 0; i < 8; i++) {
      const stream = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: `hi ${i}` }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('ok');
    }
    // Every request after the first met a reused socket the engine reset: each got a new one.
    expect(fixture.connections()).toBeGreaterThanOrEqual(8);
    expect(gw.health.isEjected('n/only')).toBe(false);
  });

  it('serves every request from an engine that closes keep-alive sockets ~2 ms after each response', async () => {
    fixture = await startEngineFixture({ knobs: { closeAfterResponse: true } });
    gw = await startGateway(new FixedCatalog([anEngine('only', fixture.url)]));
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `x${i}` }] }),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, i % 3));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(gw.health.isEjected('n/only')).toBe(false);
  });
});
