/**
 * One message to many agent connections, a slice per event-loop turn. Sent to 1,000 agents at
 * once, a `pace` change held the leader's loop ~30 ms, at the very moment the loop was already
 * behind (which is when the pace changes). A slice ends at a count or a time budget, whichever
 * comes first: each send is a socket write, and on a loaded machine 100 of them still took
 * 25-30 ms a turn (bench leader 1000 × 8), ten such turns in a row.
 */
import { WebSocket } from 'ws';
import { systemClock, type Clock } from '../shared/index.js';

/** How much of the sending one turn does: at most `perTurn` sends and about `budgetMs`. */
export interface TurnLimits {
  readonly perTurn: number;
  readonly budgetMs: number;
}

/**
 * Sends `message` to each open socket, a slice per turn (at least one send each); returns a
 * function that stops it.
 */
export function sendInTurns(
  targets: readonly WebSocket[],
  message: string,
  limits: TurnLimits,
  clock: Pick<Clock, 'monotonicMs'> = systemClock,
): () => void {
  let stopped = false;
  const sendFrom = (from: number): void => {
    if (stopped) return;
    const deadline = clock.monotonicMs() + limits.budgetMs;
    const last = Math.min(targets.length, from + limits.perTurn);
    let i = from;
    while (i < last) {
      const ws = targets[i++] as WebSocket;
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(message);
        if (clock.monotonicMs() >= deadline) break;
      }
    }
    if (i < targets.length) setImmediate(() => sendFrom(i));
  };
  sendFrom(0);
  return () => {
    stopped = true;
  };
}
