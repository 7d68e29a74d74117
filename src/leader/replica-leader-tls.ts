/**
 * How a follower verifies the leader's control certificate on https:// (Kubernetes: the CA of
 * the infernode-control-tls Secret, whose certificate names the infernode-control Service, as the
 * agents check it). The usual TLS check, host name included.
 */
import { readFileSync } from 'node:fs';
import { AppError, toError } from '../shared/index.js';

/** The ws options that verify the leader's control certificate with `caFile` (empty: none). */
export function leaderTls(caFile: string): { ca?: Buffer } {
  if (caFile === '') return {};
  try {
    return { ca: readFileSync(caFile) };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `replicas.leaderCaFile ${caFile}: unreadable`, {
      cause: toError(err),
    });
  }
}
