/**
 * One fetch for N engines: a cold node cache, the read-through endpoint over it, and N S3 clients
 * standing in for engines (vLLM's runai streamer with AWS_ENDPOINT_URL at the agent), all asking
 * for the whole model at once with ranged GETs. The object store's proxy counts the upstream GETs
 * per object: one fetch per node means GETs == parts, not N × parts.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { partCount } from '../weights/index.js';
import {
  drainBody,
  engineClient,
  openBenchCache,
  startBenchReadThrough,
  type WeightsBenchContext,
} from './weights-bench-context.js';

/** Per object: its size, the parts the streamer cuts it into, the GETs the store saw. */
export interface ObjectFetchCount {
  readonly key: string;
  readonly bytes: number;
  readonly parts: number;
  readonly upstreamGets: number;
}

/** What the phase measured. */
export interface OneFetchResult {
  readonly engines: number;
  readonly rangeBytes: number;
  readonly rangesInFlightPerEngine: number;
  readonly objects: readonly ObjectFetchCount[];
  readonly upstreamGets: number;
  readonly parts: number;
  /** True when every object was fetched upstream exactly once per part. */
  readonly oneFetch: boolean;
  readonly modelBytes: number;
  /** Bytes each engine read. */
  readonly bytesPerEngine: readonly number[];
  /** True when every engine read the whole model. */
  readonly everyEngineReadAll: boolean;
  /** Wall time until the last engine had read the whole model, ms. */
  readonly allEnginesMs: number;
}

/** Reads the whole model through `client` as a streaming loader does: list, then ranged GETs. */
async function readModel(
  ctx: WeightsBenchContext,
  client: S3Client,
  rangeBytes: number,
  inFlight: number,
): Promise<number> {
  const signal = AbortSignal.timeout(ctx.timeoutMs);
  const listed = await client.send(
    new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: `${ctx.prefix}/` }),
    { abortSignal: signal },
  );
  const ranges = (listed.Contents ?? []).flatMap((object) => {
    const size = object.Size ?? 0;
    return Array.from({ length: partCount(size, rangeBytes) }, (_, i) => ({
      key: object.Key ?? '',
      start: i * rangeBytes,
      end: Math.min(size, (i + 1) * rangeBytes) - 1,
    }));
  });
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let range = ranges[next++]; range !== undefined; range = ranges[next++]) {
      const answer = await client.send(
        new GetObjectCommand({
          Bucket: ctx.bucket,
          Key: range.key,
          Range: `bytes=${range.start}-${range.end}`,
        }),
        { abortSignal: signal },
      );
      // Awaited first: `bytes += await …` would read `bytes` before the await and lose the
      // other workers' additions.
      const drained = await drainBody(answer.Body as AsyncIterable<Uint8Array> | undefined);
      bytes += drained.bytes;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return bytes;
}

/** Runs the phase once on a cold cache; `counts` reads the store's GET counts, `reset` zeroes them. */
export async function measureOneFetch(
  ctx: WeightsBenchContext,
  engines: number,
  store: { gets(): Promise<Readonly<Record<string, number>>>; resetCounts(): Promise<void> },
): Promise<OneFetchResult> {
  const bench = await openBenchCache(ctx, 'one-fetch');
  const endpoint = await startBenchReadThrough(bench.cache);
  const clients = Array.from({ length: engines }, () => engineClient(endpoint.endpoint, 16));
  // runai streamer's object-store defaults: 8 MiB ranges, several in flight per process.
  const rangeBytes = ctx.settings.partBytes;
  const inFlight = 4;
  try {
    await store.resetCounts();
    const t0 = performance.now();
    const bytesPerEngine = await Promise.all(
      clients.map((client) => readModel(ctx, client, rangeBytes, inFlight)),
    );
    const allEnginesMs = Math.round(performance.now() - t0);
    // The engines may finish before the pull's last rename; the count is taken once it is done.
    await bench.cache.pull(ctx.uri, { signal: AbortSignal.timeout(ctx.timeoutMs) }).done;
    const gets = await store.gets();
    const objects = ctx.files.map((file) => {
      const key = `${ctx.prefix}/${file.path}`;
      return {
        key,
        bytes: file.bytes,
        parts: partCount(file.bytes, ctx.settings.partBytes),
        upstreamGets: gets[`${ctx.bucket}/${key}`] ?? 0,
      };
    });
    const upstreamGets = objects.reduce((sum, o) => sum + o.upstreamGets, 0);
    const parts = objects.reduce((sum, o) => sum + o.parts, 0);
    const modelBytes = ctx.files.reduce((sum, f) => sum + f.bytes, 0);
    return {
      engines,
      rangeBytes,
      rangesInFlightPerEngine: inFlight,
      objects,
      upstreamGets,
      parts,
      oneFetch: objects.every((o) => o.upstreamGets === o.parts),
      modelBytes,
      bytesPerEngine,
      everyEngineReadAll: bytesPerEngine.every((b) => b === modelBytes),
      allEnginesMs,
    };
  } finally {
    for (const client of clients) client.destroy();
    await endpoint.close();
    await bench.close();
  }
}
