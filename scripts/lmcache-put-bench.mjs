#!/usr/bin/env node
// The LMCache listener's PUT path (issue #14): a client streams PUTs of one value size at the
// agent's LMCache-compatible listener, which runs in a child process over a real BlockStore, and
// reads the listener's CPU time from /proc around each round. LMCache's client sends a PUT with
// no reply, so each round ends with an EXIST answered in order. The first round fills fresh store
// memory (faulted in a page at a time on this VM); the later ones are the steady state.
// Usage (after `npm run build`): node scripts/lmcache-put-bench.mjs [MIB_PER_VALUE] [VALUES] [ROUNDS]
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const HEADER_BYTES = 186;
const REPLY_BYTES = 36;
const PUT = 1;
const EXIST = 3;

if (process.argv[2] === '--serve') {
  const { BlockStore } = await import('../dist/kvcache/index.js');
  const { LmcacheServer } = await import('../dist/kvcache/adapters/index.js');
  const { createLogger, createRegistry } = await import('../dist/shared/index.js');
  const store = new BlockStore({ budgetBytes: 1536 * 1024 * 1024, policy: 's3fifo' });
  const server = new LmcacheServer({
    store,
    logger: createLogger({ level: 'warn' }),
    registry: createRegistry({ defaultMetrics: false }),
  });
  await server.start();
  process.on('message', () => process.send({ stored: store.stats().putBytesTotal }));
  process.send({ port: server.port });
  process.once('disconnect', () => process.exit(0));
} else {
  // 2 MiB: a 16-token chunk of Llama-3-8B in bf16 (the store's largest slot is 8 MiB, record
  // head included, so a larger value is read through and dropped: the round then says so).
  const [mib = 2, values = 256, rounds = 4] = process.argv.slice(2).map(Number);
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const [{ port }] = await once(child, 'message');
  const cpuMs = () => {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, 10 ms ticks
  };
  const header = (command, key, length) => {
    const b = Buffer.alloc(HEADER_BYTES);
    b.writeInt32LE(command, 0);
    b.writeInt32LE(length, 4);
    b.writeInt32LE(1, 8); // fmt
    b.write(key, 36);
    return b;
  };
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let replied = Buffer.alloc(0);
  let onReply;
  socket.on('data', (chunk) => {
    replied = Buffer.concat([replied, chunk]);
    if (replied.length >= REPLY_BYTES && onReply !== undefined) {
      replied = replied.subarray(REPLY_BYTES);
      onReply();
    }
  });
  const value = Buffer.alloc(mib * 1024 * 1024, 7);
  let key = 0;
  const storedBytes = async () => {
    const answer = once(child, 'message');
    child.send('stats');
    return (await answer)[0].stored;
  };
  process.stdout.write(`LMCache PUTs of ${mib} MiB, ${values} a round, one connection\n`);
  for (let r = 1; r <= rounds; r++) {
    const stored0 = await storedBytes();
    const cpu0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < values; i++) {
      socket.write(header(PUT, `bench-${key++}`, value.length));
      if (!socket.write(value)) await once(socket, 'drain');
    }
    const answered = new Promise((resolve) => (onReply = resolve));
    socket.write(header(EXIST, 'bench-0', 0));
    await answered;
    const gb = (values * value.length) / 1e9;
    const seconds = (performance.now() - t0) / 1000;
    const serverMsPerGB = (cpuMs() - cpu0) / gb;
    const stored = (await storedBytes()) - stored0;
    process.stdout.write(
      `round ${r}${r === 1 ? ' (fresh store memory)' : ''}: ${Math.round((gb * 1000) / seconds)} MB/s, ` +
        `listener CPU ${Math.round(serverMsPerGB)} ms per GB, ` +
        `${Math.round((100 * stored) / (values * value.length))} % of the bytes stored\n`,
    );
  }
  socket.destroy();
  child.disconnect();
}
