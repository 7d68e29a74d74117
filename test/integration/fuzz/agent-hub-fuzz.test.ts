/**
 * Fuzzing the leader's agent hub over a real WebSocket, as a black box: an agent with a valid
 * token sends malformed, oversized and out-of-order frames. Properties: the leader does not
 * crash, a connection is either kept or closed with one of the documented close codes, the hub
 * still serves a well-behaved agent afterwards, and the heap is back near its baseline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import { startHub, type HubHarness } from '../../helpers/agent-hub-harness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { heapUsedBytes } from '../../helpers/heap.js';

const SECRET = 'test-secret-0123456789abcdef';
/** The fuzzing agent's credential names node `fuzz-a`; hellos for other nodes are refused (4401). */
const TOKEN = deriveAgentToken(SECRET, 'fuzz-a');
const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Close codes an agent may see: 1000/1001 normal and leader stopping, 1005 no code, 1006 the
 * socket went without a close frame (ws after a protocol error on the wire), 1007 invalid UTF-8
 * in a text frame, 1009 a frame over maxPayload, and the protocol's own 4400 invalid message,
 * 4401 a hello for a node the credential does not name, 4409 replaced, 4426 version mismatch (src/protocol/messages.ts CLOSE_CODES).
 */
const DOCUMENTED_CLOSE_CODES = new Set([
  1000, 1001, 1005, 1006, 1007, 1009, 4400, 4401, 4409, 4426,
]);

let hub: HubHarness;

beforeAll(async () => {
  hub = await startHub({
    authenticator: new StaticAgentAuthenticator(SECRET),
    pingIntervalMs: 1000,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
  });
});

afterAll(async () => {
  await hub.stop();
});

const engine = (node: string) => ({
  id: `${node}/e0`,
  model: 'm',
  url: 'http://127.0.0.1:1',
  ready: true,
  adapters: [],
});
const hello = (node: string, seq: number) => ({
  v: 1,
  type: 'hello',
  node,
  agentVersion: 't',
  seq,
  snapshot: { engines: [engine(node)], gpus: [] },
});

const node = fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b'), fc.string({ maxLength: 30 }));
const seq = fc.oneof(fc.nat({ max: 5 }), fc.integer(), fc.double(), fc.anything());
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Objects shaped like protocol messages, any field possibly wrong. */
const protocolLike = fc.record(
  {
    v: fc.oneof(fc.constant(1), fc.anything()),
    type: fc.oneof(
      fc.constantFrom('hello', 'state', 'welcome', 'resync', 'progress', 'result', 'command'),
      fc.string(),
    ),
    node,
    agentVersion: fc.oneof(fc.string(), fc.anything()),
    seq,
    snapshot: fc.oneof(
      fc.record({ engines: fc.array(fc.anything(), { maxLength: 3 }), gpus: fc.anything() }),
      fc.anything(),
    ),
    engines: fc.oneof(fc.array(fc.anything(), { maxLength: 3 }), fc.anything()),
    removedEngines: fc.anything(),
    gpus: fc.anything(),
    urgent: fc.anything(),
    id: fc.oneof(fc.string({ maxLength: 140 }), fc.anything()),
    kind: fc.oneof(fc.constant('engine.drain'), fc.anything()),
    ok: fc.anything(),
    value: fc.anything(),
    error: fc.oneof(fc.record({ code: fc.string(), message: fc.string() }), fc.anything()),
    progress: fc.anything(),
  },
  { requiredKeys: [] },
);

/** Command-channel answers from the agent, well-formed or nearly (after a hello). */
const commandAnswer = fc.oneof(
  fc
    .record({ id: fc.string({ minLength: 1, maxLength: 200 }), progress: fc.object() })
    .map((m) => JSON.stringify({ v: 1, type: 'progress', ...m })),
  fc
    .record({
      id: fc.string({ minLength: 1, maxLength: 200 }),
      kind: fc.string({ minLength: 1, maxLength: 80 }),
      ok: fc.boolean(),
      value: fc.oneof(fc.object(), fc.anything()),
      error: fc.record({ code: fc.string(), message: fc.string() }),
    })
    .map((m) => JSON.stringify({ v: 1, type: 'result', ...m })),
);

/** One frame: text or binary, well-formed or not, in order or not, small or over the limit. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 3, arbitrary: protocolLike.map((m) => JSON.stringify(m)) },
  {
    weight: 2,
    arbitrary: fc.tuple(node, seq).map(([n, s]) => JSON.stringify(hello(n, s as number))),
  },
  {
    weight: 2,
    arbitrary: seq.map((s) => JSON.stringify({ v: 1, type: 'state', seq: s, engines: [] })),
  },
  { weight: 2, arbitrary: commandAnswer },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 20_000 })
      .map((d) => `{"v":1,"type":"hello","snapshot":${nested(d)}}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_PAYLOAD_BYTES + 1, max: 2 * MAX_PAYLOAD_BYTES })
      .map((n) => 'x'.repeat(n)),
  },
);

interface Outcome {
  readonly closeCode: number | undefined;
}

/** Connects with the valid token, sends the frames, and sees whether the hub closes. */
async function session(frames: readonly (string | Buffer)[]): Promise<Outcome> {
  const ws = new WebSocket(hub.url, { headers: { authorization: `Bearer ${TOKEN}` } });
  ws.on('error', () => undefined); // the close code says what happened
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code: number) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
  });
  for (const f of frames) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(f, { binary: Buffer.isBuffer(f) });
  }
  const code = await Promise.race([
    closed,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
  ]);
  if (code === undefined) {
    ws.close(1000);
    await closed;
  }
  return { closeCode: code };
}

describe('agent hub fuzz', () => {
  it('keeps or closes fuzzed connections with documented codes, stays up and serving, and lets go of memory', async () => {
    for (let i = 0; i < 10; i++) await session([JSON.stringify(hello('fuzz-a', 0))]);
    const baseline = await heapUsedBytes();
    const codes = new Map<number, number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 5 }), async (frames) => {
        runs++;
        const { closeCode } = await session(frames);
        if (closeCode === undefined) return;
        codes.set(closeCode, (codes.get(closeCode) ?? 0) + 1);
        expect(DOCUMENTED_CLOSE_CODES.has(closeCode), `close code ${closeCode}`).toBe(true);
      }),
      // Bounded in count and time: whatever ran by the time limit counts, the rest is skipped.
      { numRuns: 200, interruptAfterTimeLimit: 20_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(30);
    // Still up: health answers, and a well-behaved agent is heard.
    expect((await fetch(`${hub.controlUrl}/healthz`)).status).toBe(200);
    const after = deriveAgentToken(SECRET, 'after-fuzz');
    const ws = new WebSocket(hub.url, { headers: { authorization: `Bearer ${after}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify(hello('after-fuzz', 0)));
    await waitFor(
      () => hub.store.nodes().some((n) => n.node === 'after-fuzz' && n.connected),
      'the hub hears an agent after the fuzz run',
    );
    ws.close(1000);
    await heapUsedBytes();
    const growth = (await heapUsedBytes()) - baseline;
    expect(
      growth,
      `heap grew ${growth} bytes; close codes ${JSON.stringify([...codes])}`,
    ).toBeLessThan(24 * 1024 * 1024);
  }, 60_000);
});
