/**
 * The gateway's answer to a request Node's HTTP parser rejects. Node's default writes a status
 * line and destroys the socket at once, which is right for a request it cannot read, but wrong
 * for bytes that arrive after a complete `Connection: close` request: that request is already
 * being answered, and destroying the socket drops the answer (the client sees a bare close). So
 * those stray bytes are ignored and the socket closes after the response, as `close` asks.
 */
import type { Duplex } from 'node:stream';

/** The status Node answers for a parser error code, as its default handler does. */
export function statusForClientError(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/**
 * Handles one `clientError`. `isAnswering(socket)` says whether a request on it is being
 * answered now (the gateway tracks its sockets' open responses).
 */
export function handleClientError(
  err: Error & { code?: string },
  socket: Duplex,
  isAnswering: (socket: Duplex) => boolean,
): void {
  if (err.code === 'HPE_CLOSED_CONNECTION' && isAnswering(socket)) return;
  if (socket.writable && (socket as { bytesWritten?: number }).bytesWritten === 0) {
    const status = statusForClientError(err.code);
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nConnection: close\r\n\r\n`,
    );
  }
  socket.destroy(err);
}
