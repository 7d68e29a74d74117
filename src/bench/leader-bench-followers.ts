/**
 * `bench leader --gateway-followers N`: gateway replicas beside the bench's leader (issue #18).
 * Each is a real `infernode leader` on its own ports that follows the leader (static discovery,
 * `--replicas-follow`): the leader's replica feed keeps its routing state, and it serves the
 * gateway as every replica does. The picks are then spread over the gateways, so the bench shows
 * what serving inference on replicas takes off the leader's event loop at 1,000 nodes, and what
 * the feed costs it.
 */
import { join } from 'node:path';
import { freePorts } from '../shared/index.js';
import { startLeaderProcess, type LeaderProcess } from './leader-bench-leader.js';

export interface GatewayFollowersOptions {
  readonly count: number;
  readonly clusterFile: string;
  readonly host: string;
  readonly secret: string;
  /** The leader's control URL, which serves the replica feed. */
  readonly leaderControlUrl: string;
  /** Where each follower's log goes. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
}

/** Starts the followers one by one, each ready once the leader's feed reached it. */
export async function startGatewayFollowers(o: GatewayFollowersOptions): Promise<LeaderProcess[]> {
  const followers: LeaderProcess[] = [];
  try {
    for (let i = 0; i < o.count; i++) {
      const [gatewayPort = 0, controlPort = 0] = await freePorts(2);
      followers.push(
        await startLeaderProcess({
          clusterFile: o.clusterFile,
          host: o.host,
          gatewayPort,
          controlPort,
          secret: o.secret,
          logFile: join(o.dir, `follower-${i}.log`),
          identity: `leader-bench-follower-${i}`,
          // Ranked after the leader: it follows while the leader answers.
          extraArgs: ['--replicas-follow', o.leaderControlUrl, '--replicas-rank', '1'],
          env: o.env,
          readyTimeoutMs: o.readyTimeoutMs,
        }),
      );
    }
  } catch (err) {
    await Promise.all(followers.map((f) => f.stop()));
    throw err;
  }
  return followers;
}
