/**
 * One message to many agent connections, a slice per event-loop turn. Sent to 1,000 agents at
 * once, a `pace` change held the leader's loop ~30 ms, at the very moment the loop was already
 * behind (which is when the pace changes).
 */
import { WebSocket } from 'ws';

/** Sends `message` to each open socket, `perTurn` per turn; returns a function that stops it. */
export function sendInTurns(
  targets: readonly WebSocket[],
  message: string,
  perTurn: number,
): () => void {
  let stopped = false;
  const sendFrom = (from: number): void => {
    if (stopped) return;
    const to = Math.min(targets.length, from + perTurn);
    for (let i = from; i < to; i++) {
      const ws = targets[i] as WebSocket;
      if (ws.readyState === WebSocket.OPEN) ws.send(message);
    }
    if (to < targets.length) setImmediate(() => sendFrom(to));
  };
  sendFrom(0);
  return () => {
    stopped = true;
  };
}
