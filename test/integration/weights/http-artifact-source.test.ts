import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArtifactUri, type ArtifactFile } from '../../../src/weights/index.js';
import {
  createArtifactSourceFactory,
  type ArtifactSourceFactory,
  type HostResolver,
} from '../../../src/weights/adapters/index.js';
import {
  startArtifactHttpServer,
  type ArtifactHttpServer,
} from '../../helpers/artifact-http-server.js';
import { safetensorsBytes } from '../../helpers/safetensors-file.js';
import { codeOf, readAll } from './read-all.js';

const LOOPBACK = { allowedHosts: ['127.0.0.1'], allowLoopback: true };

describe('HttpArtifactSource against a real ranged HTTP server', () => {
  let server: ArtifactHttpServer;
  let factory: ArtifactSourceFactory;
  const weights = safetensorsBytes({ totalBytes: 300_000, seed: 7 });
  const signal = new AbortController().signal;

  beforeEach(async () => {
    server = await startArtifactHttpServer();
    factory = createArtifactSourceFactory({
      hosts: LOOPBACK,
      http: { headersTimeoutMs: 5_000, bodyIdleTimeoutMs: 500 },
    });
  });
  afterEach(async () => {
    factory.close();
    await server.close();
  });

  const sourceFor = (uri: string) => factory.sourceFor(parseArtifactUri(uri));

  it('lists a sharded model directory from its index plus the side files found by HEAD', async () => {
    const index = {
      metadata: {},
      weight_map: { a: 'model-1.safetensors', b: 'model-2.safetensors', c: 'model-1.safetensors' },
    };
    server.put('m/model.safetensors.index.json', Buffer.from(JSON.stringify(index)));
    server.put('m/model-1.safetensors', weights);
    server.put('m/model-2.safetensors', weights.subarray(0, 1000));
    server.put('m/config.json', Buffer.from('{"a":1}'));
    const listing = await sourceFor(`${server.baseUrl}m/`).list(signal);
    expect(listing.files.map((f) => [f.path, f.size, f.etag])).toEqual([
      ['config.json', 7, server.etagOf('m/config.json')],
      ['model-1.safetensors', weights.length, server.etagOf('m/model-1.safetensors')],
      ['model-2.safetensors', 1000, server.etagOf('m/model-2.safetensors')],
      [
        'model.safetensors.index.json',
        expect.any(Number),
        server.etagOf('m/model.safetensors.index.json'),
      ],
    ]);
  });

  it('lists a lone model.safetensors when there is no index, and a file URL as one file', async () => {
    server.put('m/model.safetensors', weights);
    const dir = await sourceFor(`${server.baseUrl}m/`).list(signal);
    expect(dir.files.map((f) => f.path)).toEqual(['model.safetensors']);
    const one = await sourceFor(`${server.baseUrl}m/model.safetensors`).list(signal);
    expect(one.files).toEqual([
      {
        path: 'model.safetensors',
        size: weights.length,
        etag: server.etagOf('m/model.safetensors'),
      },
    ]);
  });

  it('answers WEIGHTS_NOT_FOUND for a directory with no weights', async () => {
    server.put('m/config.json', Buffer.from('{}'));
    expect(await codeOf(sourceFor(`${server.baseUrl}m/`).list(signal))).toBe('WEIGHTS_NOT_FOUND');
  });

  describe('ranged reads', () => {
    let file: ArtifactFile;
    const uri = (): string => `${server.baseUrl}m/model.safetensors`;
    beforeEach(async () => {
      server.put('m/model.safetensors', weights);
      [file] = (await sourceFor(uri()).list(signal)).files as [ArtifactFile];
    });

    it.each([
      ['first', 0, 8192],
      ['middle', 100_000, 150_001],
      ['last', 299_000, 300_000],
      ['whole', 0, 300_000],
    ])(
      'reads the exact bytes of the %s range with Range and If-Range',
      async (_name, start, end) => {
        const bytes = await readAll(await sourceFor(uri()).readRange(file, { start, end }, signal));
        expect(bytes.equals(weights.subarray(start, end))).toBe(true);
        const last = server.requests.at(-1);
        expect(last?.headers.range).toBe(`bytes=${start}-${end - 1}`);
        expect(last?.headers['if-range']).toBe(file.etag);
      },
    );

    it('refuses an object replaced after listing (If-Range answered 200) as WEIGHTS_SOURCE_CHANGED', async () => {
      server.put('m/model.safetensors', safetensorsBytes({ totalBytes: 300_000, seed: 8 }));
      const read = sourceFor(uri()).readRange(file, { start: 1000, end: 2000 }, signal);
      expect(await codeOf(read)).toBe('WEIGHTS_SOURCE_CHANGED');
    });

    it('refuses an object replaced just as the read is answered', async () => {
      server.fault({
        path: 'm/model.safetensors',
        kind: 'replace',
        bytes: safetensorsBytes({ totalBytes: 300_000, seed: 9 }),
      });
      const read = sourceFor(uri()).readRange(file, { start: 0, end: 300_000 }, signal);
      expect(await codeOf(read)).toBe('WEIGHTS_SOURCE_CHANGED');
    });

    it.each([
      [404, 'WEIGHTS_NOT_FOUND'],
      [401, 'WEIGHTS_UNAUTHORIZED'],
      [403, 'WEIGHTS_UNAUTHORIZED'],
      [500, 'WEIGHTS_SOURCE_FAILED'],
      [503, 'WEIGHTS_SOURCE_FAILED'],
    ])('maps status %i to %s', async (status, code) => {
      server.fault({ path: 'm/model.safetensors', kind: 'status', status });
      expect(await codeOf(sourceFor(uri()).readRange(file, { start: 0, end: 10 }, signal))).toBe(
        code,
      );
    });

    it.each([
      ['reset', 'WEIGHTS_SOURCE_FAILED'],
      ['truncate', 'WEIGHTS_SOURCE_FAILED'],
      ['stall', 'WEIGHTS_SOURCE_TIMEOUT'],
    ] as const)('a %s mid-body fails the iteration with %s', async (kind, code) => {
      server.fault({ path: 'm/model.safetensors', kind, afterBytes: 10_000 });
      const body = await sourceFor(uri()).readRange(file, { start: 0, end: 200_000 }, signal);
      expect(await codeOf(readAll(body))).toBe(code);
    });

    it('gives up on a server that sends no headers with WEIGHTS_SOURCE_TIMEOUT', async () => {
      const impatient = createArtifactSourceFactory({
        hosts: LOOPBACK,
        http: { headersTimeoutMs: 300 },
      });
      try {
        server.fault({ path: 'm/model.safetensors', kind: 'hang' });
        const read = impatient
          .sourceFor(parseArtifactUri(uri()))
          .readRange(file, { start: 0, end: 10 }, signal);
        expect(await codeOf(read)).toBe('WEIGHTS_SOURCE_TIMEOUT');
      } finally {
        impatient.close();
      }
    });

    it('stops with WEIGHTS_ABORTED when the caller aborts mid-body', async () => {
      server.fault({ path: 'm/model.safetensors', kind: 'stall', afterBytes: 1000 });
      const controller = new AbortController();
      const body = await sourceFor(uri()).readRange(
        file,
        { start: 0, end: 200_000 },
        controller.signal,
      );
      const reading = codeOf(readAll(body));
      controller.abort();
      expect(await reading).toBe('WEIGHTS_ABORTED');
    });
  });

  describe('host policy', () => {
    it('refuses http://169.254.169.254 without a connection', async () => {
      const open = createArtifactSourceFactory({
        hosts: { allowedHosts: ['*'], allowLoopback: true },
      });
      try {
        const uri = 'http://169.254.169.254/latest/meta-data/';
        expect(await codeOf(open.sourceFor(parseArtifactUri(uri)).list(signal))).toBe(
          'WEIGHTS_HOST_NOT_ALLOWED',
        );
      } finally {
        open.close();
      }
    });

    it('refuses a host that is not on the allow-list before connecting', async () => {
      server.put('m/model.safetensors', weights);
      const uri = `http://localhost:${server.port}/m/model.safetensors`;
      expect(await codeOf(sourceFor(uri).list(signal))).toBe('WEIGHTS_HOST_NOT_ALLOWED');
      expect(server.requests).toHaveLength(0);
    });

    it('refuses a redirect to a host not on the allow-list', async () => {
      server.fault({
        path: 'm/model.safetensors',
        kind: 'redirect',
        location: `http://elsewhere.test:${server.port}/x`,
      });
      expect(await codeOf(sourceFor(`${server.baseUrl}m/model.safetensors`).list(signal))).toBe(
        'WEIGHTS_HOST_NOT_ALLOWED',
      );
    });

    it('follows a redirect to an allowed host', async () => {
      server.put('real/model.safetensors', weights);
      server.fault({
        path: 'm/model.safetensors',
        kind: 'redirect',
        location: `${server.baseUrl}real/model.safetensors`,
      });
      const listing = await sourceFor(`${server.baseUrl}m/model.safetensors`).list(signal);
      expect(listing.files[0]?.size).toBe(weights.length);
    });

    it('refuses at connect time a name that resolves to a disallowed address (no DNS-rebinding bypass)', async () => {
      // The first resolution (for list) is loopback; the next one (for the read) is the metadata service.
      const answers = ['127.0.0.1', '169.254.169.254'];
      const rebinding: HostResolver = () =>
        Promise.resolve([{ address: answers.shift() ?? '169.254.169.254', family: 4 }]);
      server.put('m/model.safetensors', weights);
      const uri = parseArtifactUri(`http://models.test:${server.port}/m/model.safetensors`);
      const hosts = { allowedHosts: ['models.test'], allowLoopback: true };
      const first = createArtifactSourceFactory({ hosts, http: { resolve: rebinding } });
      const second = createArtifactSourceFactory({ hosts, http: { resolve: rebinding } });
      try {
        const [file] = (await first.sourceFor(uri).list(signal)).files as [ArtifactFile];
        const read = second.sourceFor(uri).readRange(file, { start: 0, end: 10 }, signal);
        expect(await codeOf(read)).toBe('WEIGHTS_HOST_NOT_ALLOWED');
        expect(server.count('HEAD')).toBe(1);
        expect(server.count('GET')).toBe(0);
      } finally {
        first.close();
        second.close();
      }
    });
  });
});
