import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { rawExchange } from '../../helpers/raw-http.js';

let sim: SimServer;
let gw: Harness;
let port: number;

beforeAll(async () => {
  sim = await startSimServer({ port: 0, model: 'm', speed: 10_000 });
  gw = await startGateway(new FixedCatalog([anEngine('a', sim.url)]));
  port = Number(new URL(gw.url).port);
});

afterAll(async () => {
  await gw.stop();
  await sim.close();
});

describe('requests Node cannot parse', () => {
  it('still answers a Connection: close request followed by stray bytes (found by the fuzz suite)', async () => {
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: \r\n\r\n';
    const answer = await rawExchange(port, Buffer.from(`${head}content-length: 0\r\n\r\n`), 5000);
    expect(answer.statuses).toEqual([400]);
  });

  it('still answers a request whose Transfer-Encoding the parser refuses only after the headers', async () => {
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: !\r\n\r\n';
    const answer = await rawExchange(port, Buffer.from(head), 5000);
    expect(answer.statuses.length).toBe(1);
    expect([400, 408]).toContain(answer.statuses[0]);
  });

  it('answers a request it cannot read with 400 and closes', async () => {
    const answer = await rawExchange(port, Buffer.from('GARBAGE\r\n\r\n'), 5000);
    expect(answer.statuses).toEqual([400]);
  });
});
