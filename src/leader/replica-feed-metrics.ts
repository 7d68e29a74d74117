/**
 * The replica feed's metrics, on both sides: followers connected and messages sent (leader),
 * connections refused, slow followers dropped, invalid messages, feed resyncs and the age of
 * the follower's last feed message (follower).
 */
import { Counter, Gauge, type Registry } from '../shared/index.js';

/** Registered once per process; the leader and follower parts share it. */
export class ReplicaFeedMetrics {
  readonly followers: Gauge;
  readonly sent: Counter<'type'>;
  readonly rejected: Counter<'reason'>;
  readonly dropped: Counter;
  readonly invalid: Counter;
  readonly resyncs: Counter<'reason'>;
  readonly connected: Gauge;

  constructor(registry: Registry) {
    this.followers = new Gauge({
      name: 'infernode_replica_followers_connected',
      help: 'Gateway replicas following this leader',
      registers: [registry],
    });
    this.sent = new Counter({
      name: 'infernode_replica_feed_messages_total',
      help: 'Replica feed deltas published, by type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'infernode_replica_feed_rejected_total',
      help: 'Replica feed connections refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'infernode_replica_feed_slow_dropped_total',
      help: 'Followers dropped for a full send buffer (they resync)',
      registers: [registry],
    });
    this.invalid = new Counter({
      name: 'infernode_replica_feed_invalid_total',
      help: 'Invalid replica feed messages received (the socket is closed)',
      registers: [registry],
    });
    this.resyncs = new Counter({
      name: 'infernode_replica_feed_resyncs_total',
      help: 'Follower feed connections restarted for a fresh snapshot, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.connected = new Gauge({
      name: 'infernode_replica_feed_connected',
      help: '1 while this follower is fed by the leader',
      registers: [registry],
    });
  }
}
