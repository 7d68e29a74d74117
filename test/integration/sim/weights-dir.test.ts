/**
 * The simulator loads real weights from a directory before it listens (vLLM's default
 * safetensors loader): every byte is read, a corrupt header or a missing path stops the start.
 */
import { mkdtemp, open, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import { freePorts } from '../../../src/shared/index.js';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { writeSyntheticModel, type SyntheticModelFile } from '../../../src/up/synthetic-model.js';

let root: string;
let modelDir: string;
let files: SyntheticModelFile[];
let sim: SimServer | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sim-weights-'));
  modelDir = join(root, 'model');
  files = await writeSyntheticModel(modelDir, { sizeMiB: 6, shards: 2 });
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A logger whose JSON lines the test can read. */
function capturingLogger(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  return {
    log: pino({ level: 'info' }, sink),
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function copyModel(name: string): Promise<string> {
  const dir = join(root, name);
  await writeSyntheticModel(dir, { sizeMiB: 1, shards: 1 });
  return dir;
}

async function startError(options: Parameters<typeof startSimServer>[0]): Promise<unknown> {
  return startSimServer(options).then(
    (s) => {
      sim = s;
      return undefined;
    },
    (err: unknown) => err,
  );
}

describe('simulator --load-format safetensors from a directory', () => {
  it('reads every byte of the shards and the config files, then serves', async () => {
    const { log, lines } = capturingLogger();
    sim = await startSimServer({ modelPath: modelDir, loadFormat: 'safetensors', log });
    const shards = files.filter((f) => f.name.endsWith('.safetensors'));
    const total = files.reduce((sum, f) => sum + f.size, 0);
    expect(sim.weights).toMatchObject({
      format: 'safetensors',
      weightFiles: 2,
      weightBytes: shards.reduce((sum, f) => sum + f.size, 0),
      bytes: total,
    });
    const served = (await (await fetch(`${sim.url}/admin/weights`)).json()) as { bytes: number };
    expect(served.bytes).toBe(total);
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    const took = lines().find((l) => String(l.msg).startsWith('Loading weights took'));
    expect(took).toMatchObject({ bytes: total });
    expect(lines().some((l) => String(l.msg).startsWith('Model loading took'))).toBe(true);
  });

  it('auto on a directory is the safetensors loader', async () => {
    sim = await startSimServer({ modelPath: modelDir });
    expect(sim.weights.format).toBe('safetensors');
    expect(sim.weights.tensors).toBeGreaterThan(0);
  });

  it('without a model path reads nothing (dummy), as before', async () => {
    sim = await startSimServer({});
    expect(sim.weights).toMatchObject({ format: 'dummy', bytes: 0 });
  });

  it('refuses a header length past the end of the file, and nothing listens', async () => {
    const dir = await copyModel('bad-length');
    const fh = await open(join(dir, 'model-00001-of-00001.safetensors'), 'r+');
    const huge = Buffer.alloc(8);
    huge.writeBigUInt64LE(50_000_000n);
    await fh.write(huge, 0, 8, 0);
    await fh.close();
    const [port] = await freePorts(1);
    const err = await startError({ modelPath: dir, loadFormat: 'safetensors', port });
    expect(hasCode(err, 'WEIGHTS_CORRUPT_SAFETENSORS')).toBe(true);
    expect((err as Error).message).toContain('exceeds the file');
    const refused = await fetch(`http://127.0.0.1:${port}/health`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
  });

  it('refuses a header that is not JSON', async () => {
    const dir = await copyModel('bad-json');
    const fh = await open(join(dir, 'model-00001-of-00001.safetensors'), 'r+');
    await fh.write(Buffer.from('{not json'), 0, 9, 8);
    await fh.close();
    const err = await startError({ modelPath: dir, loadFormat: 'safetensors' });
    expect(hasCode(err, 'WEIGHTS_CORRUPT_SAFETENSORS')).toBe(true);
    expect((err as Error).message).toContain('not a safetensors file');
  });

  it('refuses a missing path and a directory without safetensors', async () => {
    const missing = await startError({ modelPath: join(root, 'nope'), loadFormat: 'safetensors' });
    expect(hasCode(missing, 'WEIGHTS_NOT_FOUND')).toBe(true);
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await writeFile(join(empty, 'config.json'), '{}');
    const none = await startError({ modelPath: empty, loadFormat: 'safetensors' });
    expect(hasCode(none, 'WEIGHTS_NOT_FOUND')).toBe(true);
    expect((none as Error).message).toContain('no *.safetensors');
  });

  it('refuses options vLLM would refuse before reading', async () => {
    const err = await startError({ modelPath: 's3://bucket/m', loadFormat: 'safetensors' });
    expect(hasCode(err, 'CONFIG_INVALID')).toBe(true);
  });
});
