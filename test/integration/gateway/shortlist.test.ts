import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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

/** One server every engine of the catalog points at; `target-pod` says which engine was picked. */
async function anyEngine(): Promise<string> {
  engine = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c', object: 'text_completion', choices: [{ text: 'ok' }] }));
    });
  });
  await new Promise<void>((r) => engine?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
}

async function complete(prompt: string): Promise<string | null> {
  const response = await fetch(`${gw?.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'routing-strategy': 'auto' },
    body: JSON.stringify({ model: 'm', prompt, max_tokens: 4 }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('target-pod');
}

describe('gateway picks among a shortlist of a model’s engines', () => {
  it('sends a prompt back to its holder while scoring 8 of 60 engines', async () => {
    const url = await anyEngine();
    const engines = Array.from({ length: 60 }, (_, i) => anEngine(`e${i}`, url));
    gw = await startGateway(new FixedCatalog(engines), { maxScoredCandidates: 8 });
    const prompt = 'a long shared document about shortlists. '.repeat(80);
    const first = await complete(prompt);
    for (let i = 0; i < 10; i++) expect(await complete(prompt)).toBe(first);
    // New prompts go wherever the sample puts them: over many, more than 8 engines.
    const seen = new Set<string | null>();
    for (let i = 0; i < 40; i++) seen.add(await complete(`question ${i}`));
    expect(seen.size).toBeGreaterThan(8);
  });

  it('never picks an engine that is not ready, however few are', async () => {
    const url = await anyEngine();
    const engines = Array.from({ length: 60 }, (_, i) =>
      anEngine(`e${i}`, url, { ready: i === 41 }),
    );
    gw = await startGateway(new FixedCatalog(engines), { maxScoredCandidates: 8 });
    for (let i = 0; i < 5; i++) expect(await complete(`question ${i}`)).toBe('e41');
  });
});
