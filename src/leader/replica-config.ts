/**
 * The gateway-replica settings of the leader (issue #18): every leader replica serves the
 * gateway, followers fed by the leader's replica feed (`/v1/replicas` on its control port).
 */
import { int, list, str } from '../shared/index.js';

const positive = { min: 1 };

/** `replicas.*` in the leader's config. */
export const replicaConfigSpec = {
  follow: list(
    [],
    'static discovery: the control URLs of the replicas that lead before this one, in order (e.g. http://127.0.0.1:8081); this process follows the first that leads and takes over when none answers for replicas.takeoverAfterMs. Empty: this process leads at once',
  ),
  leaderUrl: str(
    '',
    'kubernetes discovery: the elected leader’s control URL followers read routing state from, {identity} standing for its identity (e.g. https://{identity}.infernode-leader:8081); empty: console.leaderUrl',
  ),
  takeoverAfterMs: int(
    6000,
    'static discovery: a follower leads when no replica in replicas.follow has answered for this long, ms',
    positive,
  ),
  readyGraceMs: int(
    15_000,
    'a follower’s gateway stays ready this long after its last state from the leader (a failover must not empty the gateway Service), ms',
    positive,
  ),
  prefixLog: int(
    4096,
    'prefix-index insertions a new follower is sent in its snapshot (the most recent)',
    { min: 0, max: 4096 },
  ),
};
