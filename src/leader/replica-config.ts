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
    'static discovery: the control URLs of the other replicas, in rank order (e.g. http://127.0.0.1:8081); this process follows whichever leads and leads itself when none has for replicas.takeoverAfterMs and no replica ranked before it (replicas.rank) answers. Empty: this process leads at once',
  ),
  rank: int(
    -1,
    'static discovery: how many replicas of replicas.follow rank before this one (they lead first); -1: all of them',
    { min: -1 },
  ),
  leaderUrl: str(
    '',
    'kubernetes discovery: the elected leader’s control URL followers read routing state from: a Service that selects the leader’s pod only (e.g. https://infernode-control.infernode-system.svc:8081), or a URL where {identity} stands for the Lease holder’s identity; empty: console.leaderUrl',
  ),
  leaderCaFile: str(
    '',
    'PEM CA bundle that verifies the leader’s control certificate on https:// (empty: the system CAs)',
  ),
  holdStateMs: int(
    30_000,
    'a follower whose leader went silent keeps the engines it last heard of routable this long (their freshness judged when the feed stopped), covering the takeover (Lease: up to its duration, 15 s by default) and the agents’ reconnect to the new leader, ms',
    { min: 0 },
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
