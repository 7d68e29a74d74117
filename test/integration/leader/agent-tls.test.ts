/**
 * The agent channel over TLS with real sockets: the leader serves wss:// from certificate files
 * (generated here with the openssl binary), and the agent trusts it through a CA file or a pinned
 * SHA-256 fingerprint. An agent that cannot verify the leader never sends its token.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { LeaderClient } from '../../../src/agent/leader-client.js';
import type { LeaderTrust } from '../../../src/agent/leader-tls.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import type { AgentAuthenticator } from '../../../src/leader/agent-authenticator.js';
import { loadControlTls, type ControlTls } from '../../../src/leader/control-tls.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import { SeededRng, createRegistry, silentLogger } from '../../../src/shared/index.js';
import { startHub, type HubHarness } from '../../helpers/agent-hub-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'tls-secret-0123456789abcdef';
let dir: string;
let tls: ControlTls;
let otherFingerprint: string;

function selfSigned(name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'infernode-tls-'));
  tls = loadControlTls(selfSigned('leader'))!;
  otherFingerprint = loadControlTls(selfSigned('impostor'))!.fingerprint;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let hub: HubHarness | undefined;
let calls = 0;
const counting = (inner: AgentAuthenticator): AgentAuthenticator => ({
  authenticate: (credential, options) => {
    calls++;
    return inner.authenticate(credential, options);
  },
});
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
  calls = 0;
});

/** Runs a gossip client for node-a with the given trust until `until` holds or it times out. */
async function runAgent(trust: LeaderTrust | undefined, until: () => boolean): Promise<void> {
  const gossip = new LeaderClient({
    url: hub!.url,
    credential: () => Promise.resolve(deriveAgentToken(SECRET, 'node-a')),
    ...(trust === undefined ? {} : { trust }),
    node: 'node-a',
    agentVersion: 't',
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), 'node-a'),
    rng: new SeededRng(1),
    reconnect: { initialMs: 50, maxMs: 100 },
  });
  const abort = new AbortController();
  const running = gossip.run(abort.signal);
  try {
    await waitFor(until, 'agent outcome', 3000);
  } finally {
    abort.abort();
    await running;
  }
}

const connected = (): boolean => hub!.store.nodes().some((n) => n.node === 'node-a' && n.connected);

describe('agent channel over TLS', () => {
  it('connects over wss:// when the agent trusts the leader’s certificate as its CA', async () => {
    hub = await startHub({ authenticator: new StaticAgentAuthenticator(SECRET), tls });
    expect(hub.url).toMatch(/^wss:/);
    await runAgent({ ca: tls.cert }, connected);
  });

  it('connects over wss:// with the pinned SHA-256 fingerprint (any spelling)', async () => {
    hub = await startHub({ authenticator: new StaticAgentAuthenticator(SECRET), tls });
    await runAgent({ fingerprint: tls.fingerprint.replace(/:/g, '').toLowerCase() }, connected);
  });

  it('never sends the token to a leader whose certificate does not match the pin or the CAs', async () => {
    hub = await startHub({ authenticator: counting(new StaticAgentAuthenticator(SECRET)), tls });
    const attempts = (): boolean => false;
    await expect(runAgent({ fingerprint: otherFingerprint }, attempts)).rejects.toThrow();
    // System CAs only: a self-signed leader is refused as well.
    await expect(runAgent(undefined, attempts)).rejects.toThrow();
    expect(calls).toBe(0);
    expect(connected()).toBe(false);
  });
});
