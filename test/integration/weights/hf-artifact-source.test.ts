import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArtifactUri, type ArtifactFile } from '../../../src/weights/index.js';
import {
  createArtifactSourceFactory,
  type ArtifactSourceFactory,
  type HostResolver,
} from '../../../src/weights/adapters/index.js';
import { startHubFixture, type HubFixture } from '../../fixtures/hf-hub-fixture.js';
import { safetensorsBytes } from '../../helpers/safetensors-file.js';
import { codeOf, readAll } from './read-all.js';

/** `*.test` names resolve to loopback, as a cluster DNS would resolve the hub's CDN. */
const testDns: HostResolver = (hostname) =>
  hostname.endsWith('.test')
    ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
    : Promise.reject(Object.assign(new Error(`unknown host ${hostname}`), { code: 'ENOTFOUND' }));

describe('HfArtifactSource against a hub-compatible fixture', () => {
  let hub: HubFixture;
  let factory: ArtifactSourceFactory;
  let sha: string;
  const weights = safetensorsBytes({ totalBytes: 200_000, seed: 11 });
  const config = Buffer.from('{"model_type":"llama"}');
  const signal = new AbortController().signal;

  const open = (allowedHosts: string[], token = 'hf_secret'): ArtifactSourceFactory =>
    createArtifactSourceFactory({
      hosts: { allowedHosts, allowLoopback: true },
      http: { resolve: testDns, bodyIdleTimeoutMs: 2_000 },
      hf: { endpoint: hub.endpoint, token },
    });

  beforeEach(async () => {
    hub = await startHubFixture({ token: 'hf_secret', cdnHost: 'cdn.hub.test' });
    sha = hub.addRepo(
      'org/model',
      {
        'config.json': config,
        'model.safetensors': weights,
        'pytorch_model.bin': Buffer.from('old format'),
        '.gitattributes': Buffer.from('*.safetensors filter=lfs'),
      },
      { lfs: ['model.safetensors', 'pytorch_model.bin'] },
    );
    factory = open(['127.0.0.1', 'cdn.hub.test']);
  });
  afterEach(async () => {
    factory.close();
    await hub.close();
  });

  it('resolves the revision to its commit and lists the files with sizes, ETags and LFS sha256', async () => {
    const listing = await factory.sourceFor(parseArtifactUri('hf://org/model')).list(signal);
    expect(listing.revision).toBe(sha);
    const sha256 = createHash('sha256').update(weights).digest('hex');
    expect(listing.files).toEqual([
      { path: 'config.json', size: config.length, etag: expect.stringMatching(/^"[0-9a-f]{40}"$/) },
      { path: 'model.safetensors', size: weights.length, etag: `"${sha256}"`, sha256 },
    ]);
    expect(hub.requests[0]?.line).toBe('hub GET /api/models/org/model/revision/main?blobs=true');
    expect(hub.requests[0]?.headers.authorization).toBe('Bearer hf_secret');
  });

  it('reads ranges by commit: small files from the hub, LFS files through the CDN redirect without the token', async () => {
    const source = factory.sourceFor(parseArtifactUri('hf://org/model@main'));
    const files = (await source.list(signal)).files;
    const [cfg, model] = files as [ArtifactFile, ArtifactFile];
    expect(
      (await readAll(await source.readRange(cfg, { start: 2, end: 12 }, signal))).equals(
        config.subarray(2, 12),
      ),
    ).toBe(true);
    for (const [start, end] of [
      [0, 4096],
      [50_000, 120_000],
      [199_000, 200_000],
    ] as const) {
      const bytes = await readAll(await source.readRange(model, { start, end }, signal));
      expect(bytes.equals(weights.subarray(start, end))).toBe(true);
    }
    const cdnRequests = hub.requests.filter((r) => r.line.startsWith('cdn GET'));
    expect(cdnRequests).toHaveLength(3);
    expect(cdnRequests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(
      hub.requests.some((r) => r.line === `hub GET /org/model/resolve/${sha}/model.safetensors`),
    ).toBe(true);
  });

  it('refuses the CDN redirect when the CDN host is not on the allow-list', async () => {
    const narrow = open(['127.0.0.1']);
    try {
      const source = narrow.sourceFor(parseArtifactUri('hf://org/model'));
      const model = (await source.list(signal)).files[1] as ArtifactFile;
      expect(await codeOf(source.readRange(model, { start: 0, end: 10 }, signal))).toBe(
        'WEIGHTS_HOST_NOT_ALLOWED',
      );
      expect(hub.requests.some((r) => r.line.startsWith('cdn'))).toBe(false);
    } finally {
      narrow.close();
    }
  });

  it('refuses a file whose hub ETag is not the listed one as WEIGHTS_SOURCE_CHANGED', async () => {
    const source = factory.sourceFor(parseArtifactUri('hf://org/model'));
    const model = (await source.list(signal)).files[1] as ArtifactFile;
    const stale = { ...model, etag: `"${'0'.repeat(64)}"` };
    expect(await codeOf(source.readRange(stale, { start: 0, end: 10 }, signal))).toBe(
      'WEIGHTS_SOURCE_CHANGED',
    );
  });

  it.each([
    ['a wrong token', 'hf://org/model', 'wrong', 'WEIGHTS_UNAUTHORIZED'],
    ['an unknown repo', 'hf://org/missing', 'hf_secret', 'WEIGHTS_NOT_FOUND'],
    ['an unknown revision', 'hf://org/model@v9', 'hf_secret', 'WEIGHTS_NOT_FOUND'],
  ])('maps %s to %s', async (_what, uri, token, code) => {
    const other = open(['127.0.0.1', 'cdn.hub.test'], token);
    try {
      expect(await codeOf(other.sourceFor(parseArtifactUri(uri)).list(signal))).toBe(code);
    } finally {
      other.close();
    }
  });
});
