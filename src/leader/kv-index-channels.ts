/**
 * How WorkerBlockIndex reaches the thread that applies the index: a worker thread (production)
 * or a MessageChannel served on the caller's own thread (tests: the same protocol and program,
 * with no build of the worker's file needed).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { serveKvIndex } from './kv-index-worker-loop.js';
import type {
  KvIndexMessage,
  KvIndexReport,
  KvIndexWorkerData,
} from './kv-index-worker-protocol.js';

/** One started index thread. */
export interface KvIndexChannel {
  /** Sends the message, handing its `frames` over (transferred, unusable here after). */
  post(message: KvIndexMessage): void;
  /** Once: the thread ended (crashed or was stopped). */
  onExit(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Starts an index thread whose reports go to `onReport`. */
export type KvIndexChannelFactory = (
  data: KvIndexWorkerData,
  onReport: (report: KvIndexReport) => void,
) => KvIndexChannel;

/**
 * The compiled worker entry beside this file. Under vitest this file is the TypeScript source,
 * which a worker cannot load: the entry is then the build's (dist/, made by `npm ci`).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./kv-index-worker.js', here);
  return new URL('../../dist/leader/kv-index-worker.js', here);
}

/** A worker thread running kv-index-worker.ts. */
export const workerThreadChannel: KvIndexChannelFactory = (data, onReport) => {
  const worker = new Worker(workerEntry(), { workerData: data, name: 'kv-index' });
  // The leader's process ends when its main thread is done, whatever the index is doing.
  worker.unref();
  worker.on('message', onReport);
  let closing = false;
  return {
    post: (message) => worker.postMessage(message, [message.frames]),
    onExit: (listener) => {
      worker.once('error', (err) => listener(`kv index worker failed: ${err.message}`));
      worker.once('exit', (code) => {
        if (!closing) listener(`kv index worker exited with code ${code}`);
      });
    },
    close: async () => {
      closing = true;
      await worker.terminate();
    },
  };
};

/** The worker's program on this thread, over a MessageChannel. */
export const inThreadChannel: KvIndexChannelFactory = (data, onReport) => {
  const { port1, port2 } = new MessageChannel();
  serveKvIndex(port2, data);
  port1.on('message', onReport);
  port1.unref();
  port2.unref();
  return {
    post: (message) => port1.postMessage(message, [message.frames]),
    onExit: () => undefined,
    close: () => {
      port1.close();
      port2.close();
      return Promise.resolve();
    },
  };
};
