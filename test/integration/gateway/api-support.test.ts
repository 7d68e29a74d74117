import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { startEngineFixture, type EngineFixture } from '../../helpers/engine-fixture.js';

let fixture: EngineFixture | undefined;
let sim: SimServer | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await fixture?.close();
  await sim?.close();
  gw = fixture = sim = undefined;
});

describe('engines that do not serve an endpoint', () => {
  it.each([
    ['501', 501, '{"error":"not implemented"}'],
    ['a bare route 404', 404, '{"detail":"Not Found"}'],
  ])(
    'an embeddings request never fails on an engine that answers %s: it is retried and the engine is left out after',
    async (_name, status, body) => {
      fixture = await startEngineFixture({
        knobs: { inferenceStatus: status, inferenceBody: body },
      });
      sim = await startSimServer({ port: 0, model: 'm', speed: 10_000 });
      gw = await startGateway(
        new FixedCatalog([anEngine('no-embed', fixture.url), anEngine('sim', sim.url)]),
        { defaultStrategy: 'random' },
      );
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      for (let i = 0; i < 8; i++) {
        const out = await client.embeddings.create({ model: 'm', input: `text ${i}` });
        expect(out.data[0]?.embedding.length).toBeGreaterThan(0);
      }
      const asked = fixture.received.filter((r) => r.path === '/v1/embeddings').length;
      expect(asked).toBeLessThanOrEqual(1);
    },
  );

  it('a 404 naming the model is the client’s error, passed through, not a missing endpoint', async () => {
    fixture = await startEngineFixture({
      knobs: {
        inferenceStatus: 404,
        inferenceBody: '{"object":"error","message":"The model `m` does not exist.","code":404}',
      },
    });
    gw = await startGateway(new FixedCatalog([anEngine('e', fixture.url)]));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const err = await client.embeddings.create({ model: 'm', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
