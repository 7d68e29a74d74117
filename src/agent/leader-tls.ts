/**
 * How the agent verifies the leader's certificate on wss://: against a CA bundle (the usual TLS
 * check, host name included), or by pinning the SHA-256 fingerprint of a self-signed certificate.
 * A pinned connection sends its upgrade request, and so the token, only after the certificate
 * matched: ws's `finishRequest` holds the request until the handshake has been checked.
 */
import type { ClientRequest } from 'node:http';
import { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { AppError } from '../shared/index.js';
import { normalizeFingerprint } from './agent-auth-config.js';

/** What the agent trusts: a CA bundle, a pinned fingerprint, or (neither) the system CAs. */
export interface LeaderTrust {
  readonly ca?: Buffer;
  readonly fingerprint?: string;
}

/** ws client options that enforce the trust; nothing for plain ws:// URLs. */
export function leaderTlsOptions(
  url: string,
  trust: LeaderTrust,
  onMismatch: (err: AppError) => void,
): WebSocket.ClientOptions {
  if (!url.startsWith('wss:')) return {};
  const pin = trust.fingerprint === undefined ? undefined : normalizeFingerprint(trust.fingerprint);
  if (pin === undefined) return trust.ca === undefined ? {} : { ca: trust.ca };
  return {
    // The CA check is replaced by the pin below, which runs before any byte of the request.
    rejectUnauthorized: false,
    finishRequest: (req: ClientRequest) => {
      req.once('socket', (socket) => {
        if (!(socket instanceof TLSSocket)) {
          req.destroy(new Error('wss:// without a TLS socket'));
          return;
        }
        socket.once('secureConnect', () => {
          const got = normalizeFingerprint(socket.getPeerCertificate().fingerprint256);
          if (got === pin) {
            req.end();
            return;
          }
          const err = new AppError(
            'AGENT_LEADER_PIN_MISMATCH',
            `leader certificate fingerprint ${got} is not the pinned one`,
          );
          onMismatch(err);
          req.destroy(err);
        });
      });
    },
  };
}
