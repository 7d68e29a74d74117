import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter, Registry, serveOpsRoute } from '../../../src/shared/index.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A server answering the ops routes from a registry with two counters. */
async function opsServer(): Promise<string> {
  const registry = new Registry();
  new Counter({ name: 'one_total', help: 'one', registers: [registry] }).inc(1);
  new Counter({ name: 'two_total', help: 'two', registers: [registry] }).inc(2);
  const server = http.createServer((req, res) => {
    void serveOpsRoute(req.url ?? '/', res, { registry, isReady: () => true }).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const samples = (text: string): string[] => text.split('\n').filter((l) => /^\w+_total /.test(l));

describe('/metrics', () => {
  it('serves every metric, or only those its name parameters ask for', async () => {
    const base = await opsServer();
    const all = await fetch(`${base}/metrics`);
    expect(all.status).toBe(200);
    expect(samples(await all.text())).toEqual(['one_total 1', 'two_total 2']);
    const named = await (await fetch(`${base}/metrics?name=two_total`)).text();
    expect(samples(named)).toEqual(['two_total 2']);
    expect(named).toContain('# TYPE two_total counter');
    const both = await (await fetch(`${base}/metrics?name=two_total&name=one_total`)).text();
    expect(samples(both)).toEqual(['two_total 2', 'one_total 1']);
    const unknown = await fetch(`${base}/metrics?name=nope`);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('');
    expect((await fetch(`${base}/readyz?x=1`)).status).toBe(200);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });
});
