import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { EngineWatcher } from '../../../src/agent/engine-watcher.js';
import {
  parseClusterFile,
  clusterEndpoints,
  type ClusterSource,
  type EngineConnection,
  type EngineEndpoint,
} from '../../../src/discovery/index.js';
import { probeHealth } from '../../../src/gateway/health-prober.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { startEngineFixture, type EngineFixture } from '../../helpers/engine-fixture.js';

let dir = '';
let tls = { key: '', cert: '' };
let fixture: EngineFixture;
let gw: Harness | undefined;
const KEY_ENV = 'INFERNODE_TEST_ENGINE_KEY';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'infernode-tls-'));
  // A self-signed certificate for 127.0.0.1: it is its own CA.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  tls = {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
  fixture = await startEngineFixture({ tls });
  process.env[KEY_ENV] = 'engine-secret';
});
afterAll(async () => {
  await fixture.close();
  rmSync(dir, { recursive: true, force: true });
  Reflect.deleteProperty(process.env, KEY_ENV);
});
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

function sourceOf(endpoint: EngineEndpoint): ClusterSource {
  return {
    name: 'fixed',
    current: () => ({ endpoints: [endpoint], resources: [] }),
    onChange: () => () => undefined,
    synced: Promise.resolve(),
    run: () => Promise.resolve(),
  };
}

async function agentView(connection: EngineConnection | undefined) {
  const endpoint: EngineEndpoint = {
    id: 'n/tls',
    name: 'tls',
    model: 'm',
    url: fixture.url,
    node: 'n',
    engine: 'vllm',
    gpuIndices: undefined,
    ready: true,
    ...(connection === undefined ? {} : { connection }),
  };
  const watcher = new EngineWatcher({
    source: sourceOf(endpoint),
    clock: systemClock,
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry(), 'n'),
    intervalMs: 100,
    timeoutMs: 2000,
    windowMs: 10_000,
    modelsEveryN: 1,
  });
  for (let i = 0; i < 2; i++) await watcher.cycle(new AbortController().signal);
  return watcher.reports()[0]!;
}

describe('https engines', () => {
  it('accepts tls and apiKey references in the cluster file, and refuses a key in clear', () => {
    const file = parseClusterFile({
      nodes: [
        {
          name: 'n',
          agentPort: 9100,
          engines: [
            {
              name: 'e',
              model: 'm',
              url: fixture.url,
              tls: { caFile: join(dir, 'cert.pem') },
              apiKey: { env: KEY_ENV },
            },
          ],
        },
      ],
    });
    expect(clusterEndpoints(file)[0]!.connection).toEqual({
      caFile: join(dir, 'cert.pem'),
      apiKeyEnv: KEY_ENV,
    });
    expect(() =>
      parseClusterFile({
        nodes: [
          {
            name: 'n',
            agentPort: 9100,
            engines: [{ name: 'e', model: 'm', url: fixture.url, apiKey: 'sk-clear' }],
          },
        ],
      }),
    ).toThrow(/apiKey/);
  });

  it.each([
    ['the CA file (verification on)', { apiKeyEnv: KEY_ENV }, true],
    [
      'verification off (insecureSkipVerify)',
      { insecureSkipVerify: true, apiKeyEnv: KEY_ENV },
      false,
    ],
  ])(
    'the agent scrapes an https engine with %s, sending the engine key',
    async (_n, extra, withCa) => {
      const report = await agentView({
        ...extra,
        ...(withCa ? { caFile: join(dir, 'cert.pem') } : {}),
      });
      expect(report.ready).toBe(true);
      expect(report.metrics?.scrape.kvCacheUsageRatio).toBe(0.25);
      const scrape = fixture.received.filter((r) => r.path === '/metrics').at(-1);
      expect(scrape?.authorization).toBe('Bearer engine-secret');
    },
  );

  it('the agent does not trust an unknown self-signed certificate', async () => {
    const report = await agentView(undefined);
    expect(report.ready).toBe(false);
    expect(report.error).toMatch(/certificate/i);
  });

  it('the gateway serves from an https engine with the engine key, never the client key', async () => {
    const connection = { caFile: join(dir, 'cert.pem'), apiKeyEnv: KEY_ENV };
    gw = await startGateway(new FixedCatalog([anEngine('tls', fixture.url, { connection })]));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.choices[0]?.message.content).toBe('ok');
    const sent = fixture.received.filter((r) => r.path === '/v1/chat/completions').at(-1);
    expect(sent?.authorization).toBe('Bearer engine-secret');
  });

  it("the gateway's ejection probe reaches an https engine with its CA, and fails cleanly without", async () => {
    const signal = new AbortController().signal;
    const connection = { caFile: join(dir, 'cert.pem'), apiKeyEnv: KEY_ENV };
    await expect(probeHealth(fixture.url, 2000, signal, connection)).resolves.toBe(true);
    await expect(probeHealth(fixture.url, 2000, signal)).resolves.toBe(false);
  });
});
