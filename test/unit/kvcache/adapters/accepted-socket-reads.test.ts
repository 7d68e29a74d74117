import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { readInto } from '../../../../src/kvcache/adapters/index.js';

const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i % 251));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A server whose connections read into 1000-byte targets taken in turn from three buffers. */
async function readingServer(): Promise<{
  port: number;
  accepted: Promise<Socket>;
  reads: Buffer[];
  targets: Uint8Array[];
  adopted: boolean[];
  dataEvents: number[];
}> {
  const targets = [new Uint8Array(1000), new Uint8Array(1000), new Uint8Array(1000)];
  const reads: Buffer[] = [];
  const adopted: boolean[] = [];
  const dataEvents: number[] = [];
  let turn = 0;
  let accept: (s: Socket) => void = () => undefined;
  const accepted = new Promise<Socket>((resolve) => (accept = resolve));
  const server: Server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => dataEvents.push(chunk.length));
    adopted.push(
      readInto(socket, {
        target: () => targets[turn++ % targets.length] as Uint8Array,
        received: (n, buffer) => {
          expect(targets).toContain(buffer);
          reads.push(Buffer.from(buffer.subarray(0, n)));
        },
      }),
    );
    accept(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, accepted, reads, targets, adopted, dataEvents };
}

async function client(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('readInto (reads of an accepted socket into named memory)', () => {
  it('lands every byte in the targets it names, in order, with no data event', async () => {
    const s = await readingServer();
    const c = await client(s.port);
    const sent = pattern(25_000);
    c.end(sent);
    const socket = await s.accepted;
    await once(socket, 'end');
    expect(s.adopted).toEqual([true]);
    expect(Buffer.concat(s.reads).equals(sent)).toBe(true);
    expect(Math.max(...s.reads.map((r) => r.length))).toBeLessThanOrEqual(1000);
    expect(s.dataEvents).toEqual([]);
  });

  it('stops reading while paused and goes on after resume', async () => {
    const s = await readingServer();
    const c = await client(s.port);
    const socket = await s.accepted;
    socket.pause();
    c.write(pattern(5000));
    await new Promise((r) => setTimeout(r, 100));
    expect(s.reads).toEqual([]);
    socket.resume();
    await until(() => Buffer.concat(s.reads).length === 5000);
    expect(Buffer.concat(s.reads).equals(pattern(5000))).toBe(true);
  });

  it('reads into a spare when a target is empty (a read into nothing would end the stream)', async () => {
    let empty = true;
    const reads: Buffer[] = [];
    const server = createServer((socket) => {
      readInto(socket, {
        target: () => (empty ? new Uint8Array(0) : new Uint8Array(10)),
        received: (n, buffer) => reads.push(Buffer.from(buffer.subarray(0, n))),
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => server.close());
    const address = server.address();
    const c = await client(typeof address === 'object' && address !== null ? address.port : 0);
    c.write('first');
    await until(() => reads.length > 0);
    empty = false;
    c.write('second and third');
    await until(() => Buffer.concat(reads).length === 'firstsecond and third'.length);
    expect(Buffer.concat(reads).toString()).toBe('firstsecond and third');
  });

  it('leaves a socket that already reads into its own memory as it was', async () => {
    const s = await readingServer();
    const own = new Uint8Array(64);
    let ownReads = 0;
    const socket = connect({
      host: '127.0.0.1',
      port: s.port,
      onread: {
        buffer: own,
        callback: () => {
          ownReads++;
          return true;
        },
      },
    });
    cleanups.push(() => socket.destroy());
    await once(socket, 'connect');
    const other = new Uint8Array(8);
    expect(readInto(socket, { target: () => other, received: () => undefined })).toBe(false);
    (await s.accepted).write('hello');
    await until(() => ownReads > 0);
    expect(Buffer.from(own.subarray(0, 5)).toString()).toBe('hello');
    expect(other).toEqual(new Uint8Array(8));
  });
});
