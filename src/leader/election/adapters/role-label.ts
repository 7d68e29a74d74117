/**
 * Glue between election and the leader's pod label (docs/kubernetes.md): wraps LeadershipHooks so
 * that winning puts `infernode.io/role=leader` on this pod (after relabelling follower any other
 * pod still labelled leader), and losing labels it `follower` again. Labelling never delays the
 * leader-only parts: they start at once, and the label is retried with backoff until it sticks
 * or the term ends (until then the control Service has no endpoint, and clients retry).
 */
import type { KubeCallOptions } from '../../../kube/index.js';
import {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  sleep,
  toError,
  type BackoffPolicy,
  type Logger,
  type Rng,
} from '../../../shared/index.js';
import type { LeadershipHooks } from '../election.js';

/** What the hooks need of a PodLabeler (src/kube). */
export interface RoleLabeler {
  markLeader(options: KubeCallOptions): Promise<void>;
  markFollower(options: KubeCallOptions): Promise<void>;
}

/** The labeler, and how hard to retry labelling and unlabelling. */
export interface RoleLabelOptions {
  readonly labeler: RoleLabeler;
  readonly log: Logger;
  /** Retry policy while labelling fails. Default 1 s doubling to 30 s, half-jittered. */
  readonly backoff?: BackoffPolicy;
  /** Bound of the best-effort unlabel when leadership is lost. Default 2000 ms. */
  readonly stepDownTimeoutMs?: number;
  /** Jitters the retry backoff; from the composition root. */
  readonly rng: Rng;
}

/** Hooks that keep the role label on the leader's pod, then call `inner`. */
export function withRoleLabel(inner: LeadershipHooks, options: RoleLabelOptions): LeadershipHooks {
  const { labeler, log } = options;
  return {
    onStartedLeading(leadership) {
      inner.onStartedLeading(leadership);
      // A call, not a property read: TypeScript would keep the loop's narrowing across awaits.
      const ended = (): boolean => leadership.signal.aborted;
      void (async () => {
        for (let attempt = 0; !ended(); attempt++) {
          try {
            await labeler.markLeader({ signal: leadership.signal });
            log.info({ epoch: leadership.epoch }, 'pod labelled as leader');
            return;
          } catch (err) {
            if (ended()) return;
            const delayMs = backoffDelayMs(
              options.backoff ?? DEFAULT_BACKOFF,
              attempt,
              options.rng,
            );
            log.error(
              { err: toError(err), delayMs },
              'could not label this pod as leader; retrying',
            );
            await sleep(delayMs, leadership.signal);
          }
        }
      })();
    },
    onStoppedLeading(reason) {
      const signal = AbortSignal.timeout(options.stepDownTimeoutMs ?? 2000);
      void labeler
        .markFollower({ signal })
        .catch((err: unknown) =>
          log.warn({ err: toError(err) }, 'could not relabel this pod follower'),
        )
        .finally(() => inner.onStoppedLeading(reason));
    },
    ...(inner.onNewLeader ? { onNewLeader: inner.onNewLeader.bind(inner) } : {}),
  };
}
