/**
 * The control port's certificate and key, read once at start from files (in Kubernetes, a TLS
 * Secret mounted as files). Its SHA-256 fingerprint is what agents can pin (leaderFingerprint).
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { AppError, toError } from '../shared/index.js';

/** What the control server needs to speak TLS, and the fingerprint to log. */
export interface ControlTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** SHA-256 of the leaf certificate, colon-separated hex as `openssl x509 -fingerprint` prints. */
  readonly fingerprint: string;
}

/** Reads the files; undefined when TLS is off (no certFile). Throws CONFIG_INVALID when unreadable. */
export function loadControlTls(files: {
  readonly certFile: string;
  readonly keyFile: string;
}): ControlTls | undefined {
  if (files.certFile === '') return undefined;
  try {
    const cert = readFileSync(files.certFile);
    const key = readFileSync(files.keyFile);
    return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256 };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `control.tls: ${toError(err).message}`, { cause: err });
  }
}
