/** Block service fixtures: a real BlockServer on 127.0.0.1:0 over a real store, and metric reads. */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { BlockStore, type BlockStoreOptions } from '../../src/kvcache/index.js';
import { BlockServer, type BlockServerOptions } from '../../src/kvcache/adapters/index.js';
import { createLogger, createRegistry, type Registry } from '../../src/shared/index.js';

/** A listening server, its store and registry. */
export interface ServiceFixture {
  readonly server: BlockServer;
  readonly store: BlockStore;
  readonly registry: Registry;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a block service on a free loopback port. */
export async function startBlockService(
  options: Partial<Omit<BlockServerOptions, 'store' | 'registry' | 'log'>> & {
    readonly store?: Partial<BlockStoreOptions>;
  } = {},
): Promise<ServiceFixture> {
  const { store: storeOptions, ...rest } = options;
  const store = new BlockStore({ budgetBytes: 64 * 1024 * 1024, ...storeOptions });
  const registry = createRegistry({ defaultMetrics: false });
  const server = new BlockServer({
    store,
    host: '127.0.0.1',
    port: 0,
    token: 'cluster-secret',
    registry,
    log: createLogger({ level: 'silent' }),
    ...rest,
  });
  const port = await server.listen();
  return { server, store, registry, url: `ikv://127.0.0.1:${port}`, close: () => server.close() };
}

/** The value of a metric (with labels matching `labels`), 0 when absent. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const hit = values.find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return hit?.value ?? 0;
}

/** A raw socket to the service, connected. */
export async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Everything the socket receives until it closes. */
export async function readUntilClosed(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  if (!socket.destroyed) await once(socket, 'close');
  return Buffer.concat(chunks);
}

/** `n` deterministic bytes seeded by `seed`. */
export function blockBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}
