/**
 * A client that reads slowly holds the engine back through the gateway: the relay pauses the
 * engine's connection instead of buffering the answer (upstream-answer.ts, relay.ts), so the
 * gateway's memory stays flat however large the answer and however slow the reader. Then the
 * whole answer arrives intact.
 */
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

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const TOTAL_BYTES = 128 * 1024 * 1024;

let gw: Harness | undefined;
let engine: http.Server | undefined;
afterEach(async () => {
  await gw?.stop();
  await closeEngineServer(engine);
  gw = undefined;
  engine = undefined;
});

/** An engine that writes a 128 MiB answer as fast as its connection takes it, counting bytes. */
async function startFloodingEngine(): Promise<{ url: string; written: () => number }> {
  let written = 0;
  engine = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': TOTAL_BYTES });
    const pump = (): void => {
      while (written < TOTAL_BYTES) {
        written += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const port = await listen(engine, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, written: () => written };
}

describe('relay backpressure', () => {
  it('pauses the engine while the client does not read, then delivers every byte', async () => {
    const flood = await startFloodingEngine();
    gw = await startGateway(new FixedCatalog([anEngine('big', flood.url)]));
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${gw!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.pause();
        resolve(res);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
    });
    await new Promise((r) => setTimeout(r, 1000));
    // Socket buffers on both hops hold some MiB; without the pause the gateway would have taken
    // the whole answer from the engine into its own memory by now.
    const whilePaused = flood.written();
    expect(whilePaused).toBeLessThan(TOTAL_BYTES / 2);

    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(received).toBe(TOTAL_BYTES);
    expect(flood.written()).toBe(TOTAL_BYTES);
  });
});
