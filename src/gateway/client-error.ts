/**
 * The gateway's answer to a request Node's HTTP parser rejects. Node's default writes a status
 * line and destroys the socket at once. That is right for a request it cannot read, but wrong
 * for bytes that arrive after a complete `Connection: close` request, or once the gateway has
 * begun its answer: destroying the socket then drops the answer (the client sees a bare close).
 * So those sockets get a bounded grace to finish the response, which closes them (such requests
 * are answered with `Connection: close`); every other parse error is answered as Node does.
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

/** How long a socket whose request is being answered may live on after a parse error, ms. */
export const ANSWER_GRACE_MS = 5000;

/**
 * Handles one `clientError`. `isAnswering(socket)` says whether a request on it is being
 * answered now (the gateway tracks its sockets' open responses).
 */
export function handleClientError(
  err: Error & { code?: string },
  socket: Duplex,
  isAnswering: (socket: Duplex) => boolean,
): void {
  const written = (socket as { bytesWritten?: number }).bytesWritten ?? 0;
  const owedAnAnswer = err.code === 'HPE_CLOSED_CONNECTION' || written > 0;
  if (owedAnAnswer && isAnswering(socket)) {
    const backstop = setTimeout(() => socket.destroy(err), ANSWER_GRACE_MS);
    backstop.unref();
    socket.once('close', () => clearTimeout(backstop));
    return;
  }
  if (socket.writable && written === 0) {
    const status = statusForClientError(err.code);
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nConnection: close\r\n\r\n`,
    );
  }
  socket.destroy(err);
}
