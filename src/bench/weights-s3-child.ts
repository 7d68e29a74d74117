/**
 * The weight bench's object store, in its own process so that serving bytes never competes with
 * the measured client for one event loop: s3rver over a temp directory behind a counting proxy
 * (s3rver emits no event per GET), seeded with the synthetic model. Started by
 * weights-s3-process.ts with fork(); prints nothing, talks over the IPC channel:
 *   child → parent  { type: 'ready', endpoint }      once seeded and listening
 *   parent → child  { type: 'counts' }  → { type: 'counts', gets: { "<bucket>/<key>": n } }
 *   parent → child  { type: 'reset' }   → { type: 'reset' }
 * It exits when the parent disconnects, so a killed bench leaves no server behind.
 */
import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { writeSyntheticSafetensors } from './synthetic-safetensors.js';
import { S3RVER_CREDENTIALS, type S3ChildPlan } from './weights-s3-plan.js';
import { forwardToLoopback } from './http-forward.js';

async function main(plan: S3ChildPlan): Promise<void> {
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(plan.directory, 's3rver'),
  });
  const upstream = await s3rver.run();
  const gets = new Map<string, number>();
  const proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname.slice(1));
    const isObject = path.includes('/') && !url.searchParams.has('list-type');
    if (req.method === 'GET' && isObject) gets.set(path, (gets.get(path) ?? 0) + 1);
    forwardToLoopback(upstream.port, req, res);
  });
  proxy.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => proxy.once('listening', resolve));

  const client = new S3Client({
    endpoint: `http://127.0.0.1:${upstream.port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    maxAttempts: 1,
    // A streamed body with the SDK's default checksum goes out aws-chunked with a trailer, which
    // s3rver stores verbatim: the object would not be the file.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: plan.bucket }));
  for (const [i, file] of plan.files.entries()) {
    const seedPath = join(plan.directory, `seed-${i}`);
    if (file.path.endsWith('.safetensors'))
      await writeSyntheticSafetensors(seedPath, file.bytes, i + 1);
    else await writeFile(seedPath, '{}'.padEnd(file.bytes));
    await client.send(
      new PutObjectCommand({
        Bucket: plan.bucket,
        Key: `${plan.prefix}/${file.path}`,
        Body: createReadStream(seedPath),
        ContentLength: file.bytes,
      }),
    );
    await rm(seedPath, { force: true });
  }
  client.destroy();

  process.on('message', (message: { type?: string }) => {
    if (message.type === 'counts')
      process.send?.({ type: 'counts', gets: Object.fromEntries(gets) });
    if (message.type === 'reset') {
      gets.clear();
      process.send?.({ type: 'reset' });
    }
  });
  process.on('disconnect', () => {
    proxy.closeAllConnections();
    proxy.close();
    void s3rver.close().finally(() => process.exit(0));
  });
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.send?.({ type: 'ready', endpoint });
}

main(JSON.parse(process.argv[2] ?? '{}') as S3ChildPlan).catch((err: unknown) => {
  process.stderr.write(`weights bench object store failed: ${String(err)}\n`);
  process.exit(1);
});
