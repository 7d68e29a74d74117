/**
 * Raw HTTP/1.1 over a TCP socket, for tests that must send what no HTTP client would (bad request
 * lines, header injection, lengths that lie) and see every status line the server answers.
 */
import net from 'node:net';

/** What came back on one connection. */
export interface RawExchange {
  /** Every status code seen in the bytes received, in order. */
  readonly statuses: readonly number[];
  /** The bytes received, as latin1 text. */
  readonly text: string;
  /** True when nothing arrived within the timeout. */
  readonly timedOut: boolean;
}

/**
 * Connects to `port`, writes `request` and collects what arrives until the server closes, the
 * socket fails, or `timeoutMs` passes. Never rejects.
 */
export function rawExchange(
  port: number,
  request: Buffer,
  timeoutMs: number,
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined); // a reset after the answer is the server's right
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses, text, timedOut: timedOut && received.length === 0 });
    });
    socket.write(request);
  });
}
