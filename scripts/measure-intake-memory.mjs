// Peak memory of a gateway process while N clients each send an 8 MiB body at once (issue 10:
// 48 reached 1 GB). The gateway runs in a child process (built code from DIST, default ./dist)
// in front of a stub engine that answers after 20 s, so every admitted body is held at once.
// Usage: node scripts/measure-intake-memory.mjs [clients=48] [bodyMiB=8]
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import http from 'node:http';
import process from 'node:process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';

const dist = process.env.DIST ?? fileURLToPath(new URL('../dist', import.meta.url));

if (process.argv[2] === '--child') {
  const { GatewayServer, GatewayMetrics, InFlightTracker, PassiveHealth, admitAll } = await import(
    `${dist}/gateway/index.js`
  );
  const { createRoutingState } = await import(`${dist}/routing/index.js`);
  const { SeededRng, createRegistry, silentLogger, systemClock } = await import(
    `${dist}/shared/index.js`
  );
  const engine = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"choices":[]}'), 20_000));
  });
  await new Promise((r) => engine.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${engine.address().port}`;
  const endpoint = {
    id: 'n/e',
    name: 'e',
    model: 'm',
    node: 'n',
    url,
    ready: true,
    clusterHealthy: true,
    metrics: undefined,
    stale: true,
    adapters: [],
    maxLoras: 0,
  };
  const catalog = {
    lookup: () => ({ known: true, baseModel: 'm', adapter: undefined, endpoints: [endpoint] }),
    models: () => [],
    endpointUrl: () => url,
  };
  const gateway = new GatewayServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    // A slow machine must not turn this into a body-timeout test; the budget is the default.
    limits: { bodyTimeoutMs: 60_000 },
    deps: {
      catalog,
      admission: admitAll,
      inFlight: new InFlightTracker(),
      health: new PassiveHealth({
        consecutiveFailures: 1000,
        baseEjectionMs: 1000,
        maxEjectionMs: 1000,
      }),
      metrics: new GatewayMetrics(createRegistry({ defaultMetrics: false })),
      routing: { rng: new SeededRng(1), state: createRoutingState() },
      defaultStrategy: 'least-request',
      agent: new http.Agent({ keepAlive: true }),
      timeouts: {
        connectTimeoutMs: 30_000,
        firstByteTimeoutMs: 60_000,
        streamIdleTimeoutMs: 60_000,
      },
      maxBodyBytes: 8 * 1024 * 1024 + 1024,
      retryAfterSeconds: 1,
      clock: systemClock,
      log: silentLogger(),
    },
  });
  const abort = new globalThis.AbortController();
  void gateway.run(abort.signal);
  while (gateway.port === 0) await new Promise((r) => setTimeout(r, 10));
  let peakRss = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
  }, 20);
  const base = process.memoryUsage();
  process.send({ port: gateway.port, baseRss: base.rss });
  process.on('message', () => {
    clearInterval(sample);
    process.send({ peakRss, peakHeap });
    abort.abort();
    engine.close();
    setTimeout(() => process.exit(0), 100).unref();
  });
} else {
  const clients = Number(process.argv[2] ?? 48);
  const mib = Number(process.argv[3] ?? 8);
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    env: { ...process.env, DIST: dist },
  });
  const ready = await new Promise((r) => child.once('message', r));
  const prefix = '{"model":"m","messages":[{"role":"user","content":"';
  const suffix = '"}]}';
  const body = Buffer.alloc(mib * 1024 * 1024, 0x61);
  body.write(prefix, 0);
  body.write(suffix, body.length - suffix.length);
  const statuses = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise((resolve) => {
          const req = http.request(`http://127.0.0.1:${ready.port}/v1/chat/completions`, {
            method: 'POST',
            agent: false,
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          });
          req.on('error', (e) => resolve(e.code));
          req.end(body);
        }),
    ),
  );
  child.send('report');
  const peak = await new Promise((r) => child.once('message', r));
  const counts = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  const mb = (n) => Math.round(n / 1e6);
  process.stdout.write(
    `${clients} clients × ${mib} MiB: statuses ${JSON.stringify(counts)}; gateway RSS ${mb(ready.baseRss)} MB idle → peak ${mb(peak.peakRss)} MB (heap+external peak ${mb(peak.peakHeap)} MB)\n`,
  );
}
