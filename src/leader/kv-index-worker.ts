/**
 * Entry of the leader's KV index worker thread (kv-index-channels.ts starts it): serves the
 * index on the parent port with the data the leader gave.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveKvIndex } from './kv-index-worker-loop.js';
import type { KvIndexWorkerData } from './kv-index-worker-protocol.js';

if (parentPort === null) throw new Error('kv-index-worker.js runs only as a worker thread');
serveKvIndex(parentPort, workerData as KvIndexWorkerData);
