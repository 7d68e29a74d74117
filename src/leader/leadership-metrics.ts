/**
 * Leadership gauges, read at scrape time: whether this process leads and the term's epoch (the
 * Lease's leaseTransitions). Both candidates export them, so Prometheus sees "no leader" or "two
 * leaders" (sum of `is_leader` ≠ 1) and counts leader changes (`changes()` on the max epoch) —
 * the alerts in deploy/prometheus/infernode-alerts.yaml rest on them.
 */
import { Gauge, type Registry } from '../shared/index.js';
import type { Leadership } from './election/election.js';

/** Registers `infernode_leader_is_leader` and `infernode_leader_epoch` on `registry`. */
export function registerLeadershipMetrics(
  registry: Registry,
  leadership: () => Leadership | undefined,
): void {
  new Gauge({
    name: 'infernode_leader_is_leader',
    help: '1 while this process holds the leader lease, 0 while it is a candidate',
    registers: [registry],
    collect() {
      this.set(leadership() === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'infernode_leader_epoch',
    help: 'The leader term this process holds (the Lease transitions); absent while a candidate',
    registers: [registry],
    collect() {
      const epoch = leadership()?.epoch;
      // A candidate has no term: no sample rather than a misleading 0.
      if (epoch === undefined) this.reset();
      else this.set(epoch);
    },
  });
}
