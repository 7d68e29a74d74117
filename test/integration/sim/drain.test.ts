import { afterEach, describe, expect, it } from 'vitest';
import { createSimServer, type DrainableSimServer } from '../../../src/sim/sim-server.js';
import { chatBody, metric, postJson, scrape, waitFor } from '../../helpers/sim-http.js';

let sim: DrainableSimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('simulator drain (what SIGTERM does under infernode sim)', () => {
  it('lets an in-flight stream finish, fails health and stops accepting', async () => {
    sim = await createSimServer({ speed: 5 }, {});
    const url = sim.url;
    // 100 tokens at speed 5 ≈ 150 ms of wall time: still running when the drain starts.
    const inFlight = postJson(url, '/v1/chat/completions', chatBody('x', 100, { stream: true }));
    const running = await waitFor(
      async () => metric(await scrape(url), 'vllm:num_requests_running') === 1,
    );
    expect(running).toBe(true);
    const drained = sim.drain(5000);
    const refused = await fetch(`${url}/health`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError); // the listener is closed
    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(done.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await drained;
  });
});
