import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import type { Logger, Rng } from '../../../src/shared/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let sims: SimServer[] = [];
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  gw = undefined;
});

async function sim(): Promise<SimServer> {
  const s = await startSimServer({ port: 0, model: 'm', speed: 500 });
  sims.push(s);
  return s;
}

const json = { 'content-type': 'application/json' };
const nested = (depth: number): string => '['.repeat(depth) + '"x"' + ']'.repeat(depth);

/** A logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log: Logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { log, lines };
}

describe('gateway: bad input', () => {
  it('answers 400 to bodies nested 10,000 deep (content and prompt), in the gateway and in the simulator', async () => {
    const engine = await sim();
    gw = await startGateway(new FixedCatalog([anEngine('a', engine.url)]));
    const bodies = [
      [
        '/v1/chat/completions',
        `{"model":"m","messages":[{"role":"user","content":${nested(10_000)}}]}`,
      ],
      ['/v1/completions', `{"model":"m","prompt":${nested(10_000)}}`],
    ] as const;
    for (const [path, body] of bodies) {
      const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: json, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'gw_body_too_deep' } });
      const direct = await fetch(`${engine.url}${path}`, { method: 'POST', headers: json, body });
      expect(direct.status).toBe(400);
    }
    // A body within the limit still works.
    const ok = await fetch(`${gw.url}/v1/completions`, {
      method: 'POST',
      headers: json,
      body: `{"model":"m","prompt":"hi","max_tokens":2,"metadata":${nested(60)}}`,
    });
    expect(ok.status).toBe(200);
  });

  it('turns a failing routing strategy into a logged 500 GW_ROUTING_FAILED, not a 503 "no ready engine"', async () => {
    const [a, b] = [await sim(), await sim()];
    const broken: Rng = {
      next: () => {
        throw new TypeError('strategy bug');
      },
    };
    const { log, lines } = capturingLogger();
    gw = await startGateway(new FixedCatalog([anEngine('a', a.url), anEngine('b', b.url)]), {
      rng: broken,
      defaultStrategy: 'random',
      log,
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'gw_routing_failed' } });
    const logged = lines.find((l) => l.level === 50);
    expect(JSON.stringify(logged?.err)).toMatch(/strategy bug/);
    expect((logged?.err as { stack?: string } | undefined)?.stack).toMatch(/at /);
  });

  it('lets a client that reads only after sending its whole 64 MiB body read the 413 (lingering close)', async () => {
    const engine = await sim();
    gw = await startGateway(new FixedCatalog([anEngine('a', engine.url)]), {
      maxBodyBytes: 1024 * 1024,
    });
    for (let i = 0; i < 3; i++) {
      const answer = await sendAllThenRead(gw.url, 64 * 1024 * 1024);
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
      expect(answer).toMatch(/gw_body_too_large/);
    }
  }, 60_000);

  it('lets Node’s fetch read the 413 for a 64 MiB body, repeatedly', async () => {
    const engine = await sim();
    gw = await startGateway(new FixedCatalog([anEngine('a', engine.url)]), {
      maxBodyBytes: 1024 * 1024,
    });
    const body = new Uint8Array(64 * 1024 * 1024).fill(0x20);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: json,
        body,
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toMatchObject({ error: { code: 'gw_body_too_large' } });
    }
  }, 60_000);
});

/**
 * A client that writes its whole request before it reads anything (as a simple client or a
 * busy one does). If the server closes while the client still writes, the client's writes fail
 * and the answer waiting in its receive buffer is never read: the answer reads as ''.
 */
async function sendAllThenRead(url: string, bodyBytes: number): Promise<string> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.pause();
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${bodyBytes}\r\n\r\n`;
  try {
    await new Promise<void>((resolve, reject) =>
      socket.write(head, (err) => (err ? reject(err) : resolve())),
    );
    for (let sent = 0; sent < bodyBytes; sent += chunk.length) {
      await new Promise<void>((resolve, reject) =>
        socket.write(chunk, (err) => (err ? reject(err) : resolve())),
      );
    }
  } catch {
    socket.destroy();
    return '';
  }
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.resume();
  await Promise.race([once(socket, 'end'), once(socket, 'close'), once(socket, 'error')]).catch(
    () => undefined,
  );
  socket.destroy();
  return Buffer.concat(received).toString('utf8');
}
