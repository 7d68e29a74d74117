import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { sendInTurns } from '../../../src/leader/send-in-turns.js';
import { ManualClock } from '../../helpers/manual-clock.js';

/** Stand-ins for agent connections: what was sent to each, and whether it is open. */
function sockets(n: number): { sent: string[]; readyState: number; send(m: string): void }[] {
  return Array.from({ length: n }, (_, i) => ({
    sent: [] as string[],
    readyState: i === 3 ? WebSocket.CLOSED : WebSocket.OPEN,
    send(m: string) {
      this.sent.push(m);
    },
  }));
}
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sentCount = (s: ReturnType<typeof sockets>): number =>
  s.reduce((n, x) => n + x.sent.length, 0);

describe('sendInTurns', () => {
  it('sends a slice per event-loop turn until every open socket has it once', async () => {
    const s = sockets(250);
    sendInTurns(s as unknown as WebSocket[], 'pace', { perTurn: 100, budgetMs: 1e9 });
    expect(sentCount(s)).toBe(99); // the first 100, one of them closed
    await turn();
    expect(sentCount(s)).toBe(199);
    await turn();
    await turn();
    expect(sentCount(s)).toBe(249);
    expect(s.every((x, i) => x.sent.length === (i === 3 ? 0 : 1))).toBe(true);
  });

  it('stops where it is when told', async () => {
    const s = sockets(250);
    const stop = sendInTurns(s as unknown as WebSocket[], 'old pace', {
      perTurn: 100,
      budgetMs: 1e9,
    });
    stop();
    await turn();
    await turn();
    expect(sentCount(s)).toBe(99);
  });

  it('ends a turn once its time budget is spent, after at least one send', async () => {
    const s = sockets(10);
    const clock = new ManualClock();
    // Each send takes 1 ms of this clock: a 2.5 ms budget ends the turn after the third send.
    for (const x of s) {
      const send = x.send.bind(x);
      x.send = (m: string) => {
        clock.advance(1);
        send(m);
      };
    }
    sendInTurns(s as unknown as WebSocket[], 'pace', { perTurn: 100, budgetMs: 2.5 }, clock);
    expect(sentCount(s)).toBe(3);
    await turn();
    expect(sentCount(s)).toBe(6); // sockets 3 (closed), 4, 5, 6
    await turn();
    await turn();
    expect(sentCount(s)).toBe(9);
    // A budget of nothing still sends one a turn.
    const t = sockets(3);
    sendInTurns(
      t as unknown as WebSocket[],
      'pace',
      { perTurn: 100, budgetMs: 0 },
      new ManualClock(),
    );
    expect(sentCount(t)).toBe(1);
  });
});
