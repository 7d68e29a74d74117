/**
 * `infernode pull` against a stand-in agent API that streams NDJSON progress for longer than the
 * CLI's answer timeout: the timeout bounds the answer, never the pull. A failed result exits 1
 * with its code; an agent that never answers is a clear error after the timeout.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/run-cli.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  if (server !== undefined) await once(server, 'close');
  server = undefined;
});

/** An agent API whose pull streams `lines` one every `everyMs`, then ends. */
async function agent(lines: readonly object[], everyMs: number, answer = true): Promise<string> {
  server = createServer((req, res) => {
    if (!answer) return;
    expect(req.url).toBe('/v1/weights/pull?wait=1');
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    let i = 0;
    const timer = setInterval(() => {
      const line = lines[i++];
      if (line === undefined) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(`${JSON.stringify(line)}\n`);
    }, everyMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

const progress = (bytesDone: number): object => ({
  type: 'progress',
  uri: 's3://m/x/',
  totalBytes: 1000,
  bytesDone,
  bytesPerSecond: 100,
  files: [{ path: 'a.safetensors', size: 1000, bytesDone, state: 'fetching' }],
});

describe('infernode pull', () => {
  it('follows a pull that streams longer than its answer timeout, and exits 0 on its result', async () => {
    const url = await agent(
      [
        progress(0),
        progress(400),
        progress(800),
        { type: 'result', ok: true, key: 'k', path: '/c/k', bytes: 1000 },
      ],
      400,
    );
    const run = await startCli([
      'pull',
      's3://m/x',
      '--agent-url',
      url,
      '--connect-timeout-ms',
      '300',
    ]).exited(30_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('local: done, 1000 B at /c/k');
  });

  it('exits 1 with the code of a failed pull', async () => {
    const url = await agent(
      [progress(0), { type: 'result', ok: false, code: 'WEIGHTS_NOT_FOUND', message: 'no such' }],
      50,
    );
    const run = await startCli(['pull', 's3://m/x', '--agent-url', url]).exited(30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('WEIGHTS_NOT_FOUND: no such');
  });

  it('says so when the agent never answers', async () => {
    const url = await agent([], 50, false);
    const run = await startCli([
      'pull',
      's3://m/x',
      '--agent-url',
      url,
      '--connect-timeout-ms',
      '300',
    ]).exited(30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no answer within 300 ms');
  });
});
