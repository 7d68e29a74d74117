/**
 * Agent identity with real sockets: a connection may only say hello for the node its credential
 * names. Another node's valid token cannot take over a node, and the real agent's session is
 * left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import {
  closeOf,
  helloFrame,
  nextJson,
  openAgentSocket,
  startHub,
  type HubHarness,
} from '../../helpers/agent-hub-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'identity-secret-0123456789';

let hub: HubHarness | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await hub?.stop();
  hub = undefined;
});

async function agent(node: string, asNode = node): Promise<WebSocket> {
  const ws = await openAgentSocket(hub!.url, deriveAgentToken(SECRET, asNode));
  sockets.push(ws);
  return ws;
}

describe('agent identity (static per-node tokens)', () => {
  it('refuses a hello for another node and counts it, while that node’s real session survives', async () => {
    hub = await startHub({ authenticator: new StaticAgentAuthenticator(SECRET) });
    const real = await agent('node-a');
    const welcome = nextJson(real);
    real.send(helloFrame('node-a'));
    expect(await welcome).toMatchObject({ type: 'welcome' });

    const intruder = await agent('node-b');
    const refused = closeOf(intruder);
    intruder.send(helloFrame('node-a'));
    expect(await refused).toEqual({
      code: 4401,
      reason: 'credential is for node node-b, not node-a',
    });
    expect(await hub.metrics()).toMatch(
      /infernode_leader_agent_messages_rejected_total\{reason="node-mismatch"\} 1/,
    );

    // The real agent is still connected and its deltas still land.
    expect(real.readyState).toBe(real.OPEN);
    real.send(JSON.stringify({ v: 1, type: 'state', seq: 2, removedEngines: ['node-a/e0'] }));
    await waitFor(
      () => hub!.store.nodes().find((n) => n.node === 'node-a')?.engineIds.length === 0,
      'delta from the real agent applied',
    );
    expect(hub.store.nodes().find((n) => n.node === 'node-a')?.connected).toBe(true);
  });

  it('refuses a forged token for a node before upgrading', async () => {
    hub = await startHub({ authenticator: new StaticAgentAuthenticator(SECRET) });
    const forged = `node-a.${deriveAgentToken('another-secret-0123456789', 'node-a').split('.')[1]!}`;
    await expect(openAgentSocket(hub.url, forged)).rejects.toThrow('HTTP 401');
    await expect(openAgentSocket(hub.url, 'node-a')).rejects.toThrow('HTTP 401');
    expect(await hub.metrics()).toMatch(/rejected_total\{reason="Unauthorized"\} 2/);
  });
});
