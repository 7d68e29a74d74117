/**
 * A client that leaves while the gateway still waits for the engine's response headers cancels
 * the upstream call: the engine's connection for that request is closed (request-cancel.ts hooks
 * the upstream request directly, without an AbortSignal listener).
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  FixedCatalog,
  anEngine,
  closeEngineServer,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let gw: Harness | undefined;
let engine: http.Server | undefined;
afterEach(async () => {
  await gw?.stop();
  await closeEngineServer(engine);
  gw = undefined;
  engine = undefined;
});

describe('client leaving before the engine answers', () => {
  it('closes the upstream request to the engine', async () => {
    const seen: { received: number; closedUnanswered: number } = {
      received: 0,
      closedUnanswered: 0,
    };
    // An engine that reads the request and never answers (a long prefill).
    engine = http.createServer((req, res) => {
      seen.received++;
      req.resume();
      res.on('close', () => {
        if (!res.headersSent) seen.closedUnanswered++;
      });
    });
    const port = await listen(engine, 0, '127.0.0.1');
    // A first-byte timeout far beyond the wait below: only the cancellation can close it.
    gw = await startGateway(new FixedCatalog([anEngine('slow', `http://127.0.0.1:${port}`)]), {
      timeouts: { firstByteTimeoutMs: 600_000 },
    });

    const client = http.request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    client.on('error', () => undefined); // destroyed on purpose below
    client.end(
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    );
    await waitFor(() => seen.received === 1, 'the request at the engine');
    client.destroy();
    await waitFor(() => seen.closedUnanswered === 1, 'the upstream request closed');
    expect(seen.received).toBe(1); // not retried on another attempt after the client left
  });
});
