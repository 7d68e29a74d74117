import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer, type SimServerOptions } from '../../../src/sim/index.js';
import { chatBody, postJson, waitFor } from '../../helpers/sim-http.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
async function start(options: SimServerOptions = {}): Promise<SimServer> {
  sim = await startSimServer({ speed: 1000, ...options });
  return sim;
}

/** Reads a whole SSE response with node:http and reports how it ended. */
function readStream(
  url: string,
  body: unknown,
): Promise<{ chunks: number; done: boolean; error: boolean }> {
  return new Promise((resolve) => {
    const out = { chunks: 0, done: false, error: false };
    const req = request(
      `${url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        const finish = (): void => {
          out.chunks = text.split('\n\n').filter((c) => c.startsWith('data: {')).length;
          out.done = text.includes('data: [DONE]');
          resolve(out);
        };
        res.on('end', finish);
        res.on('error', () => {
          out.error = true;
          finish();
        });
        res.on('aborted', () => (out.error = true));
      },
    );
    req.on('error', () => {
      out.error = true;
      resolve(out);
    });
    req.end(JSON.stringify(body));
  });
}

describe('simulator faults', () => {
  it('slow start: /health and inference answer 503 until ready', async () => {
    const s = await start({ faults: { slowStartMs: 60_000 } });
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    const r = await postJson(s.url, '/v1/chat/completions', chatBody('x', 2));
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${s.url}/version`)).status).toBe(200);
    // Ready once the slow start is over (here: shortened to nothing at run time).
    await postJson(s.url, '/admin/faults', { slowStartMs: 0 });
    const health = await fetch(`${s.url}/health`);
    expect([health.status, await health.text()]).toEqual([200, '']);
    expect((await postJson(s.url, '/v1/chat/completions', chatBody('x', 2))).status).toBe(200);
  });

  it('error rate: every request gets 500 in vLLM’s error shape at rate 1, none at 0', async () => {
    const s = await start({ faults: { errorRate: 1 } });
    const r = await postJson(s.url, '/v1/chat/completions', chatBody('x', 2));
    expect(r.status).toBe(500);
    expect(r.json).toEqual({
      error: { message: expect.any(String), type: 'InternalServerError', param: null, code: 500 },
    });
    s.setFaults({ errorRate: 0 });
    expect((await postJson(s.url, '/v1/chat/completions', chatBody('x', 2))).status).toBe(200);
  });

  it('hang: the request is accepted and never answered until the client gives up', async () => {
    const s = await start({ faults: { hangRate: 1 } });
    const err = await postJson(s.url, '/v1/chat/completions', chatBody('x', 2), {
      signal: AbortSignal.timeout(200),
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    s.setFaults({ hangRate: 0 });
    expect((await postJson(s.url, '/v1/chat/completions', chatBody('x', 2))).status).toBe(200);
  });

  it('drop mid-stream: the socket dies after K chunks, without [DONE]', async () => {
    const s = await start({ faults: { dropAfterChunks: 3 } });
    const cut = await readStream(s.url, chatBody('x', 20, { stream: true }));
    expect(cut.done).toBe(false);
    expect(cut.error).toBe(true);
    expect(cut.chunks).toBeLessThanOrEqual(4); // the role chunk plus 3 token chunks
    s.setFaults({ dropAfterChunks: 0 });
    const whole = await readStream(s.url, chatBody('x', 20, { stream: true }));
    expect([whole.done, whole.chunks]).toEqual([true, 21]);
  });

  it('exit in-process: the server dies and refuses connections', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    s.setFaults({ exitAfterMs: 0 });
    const dead = await waitFor(async () => {
      const err = await fetch(`${s.url}/health`).catch((e: unknown) => e);
      return err instanceof TypeError; // fetch failed: ECONNREFUSED
    });
    expect(dead).toBe(true);
  });

  it('admin endpoint reads and validates faults at run time', async () => {
    const s = await start();
    const set = await postJson(s.url, '/admin/faults', { errorRate: 0.25, dropAfterChunks: 2 });
    expect(set.json).toMatchObject({
      errorRate: 0.25,
      dropAfterChunks: 2,
      hangRate: 0,
      exitAfterMs: -1,
    });
    expect(await (await fetch(`${s.url}/admin/faults`)).json()).toMatchObject({ errorRate: 0.25 });
    const bad = await postJson(s.url, '/admin/faults', { errorRate: 3 });
    expect(bad.status).toBe(400);
  });
});
