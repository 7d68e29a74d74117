/**
 * A rollback request (Deployment's rollbackTo, rollback.go): revision 0 means the one before the
 * newest; a revision not in the history or equal to the current template is dropped with a
 * Warning, never retried. Pure.
 */
import type { FleetAction, FleetEvent, RevisionRecord } from './rollout-types.js';

/** The annotation that asks for a rollback: a revision number, or 0 for the previous one. */
export const ROLLBACK_ANNOTATION = 'infernode.io/rollback-to';

/** The action and event answering a rollback request. */
export interface RollbackDecision {
  readonly action: FleetAction;
  readonly event: FleetEvent;
}

/** LastRevision: the second highest revision in the history (0 when fewer than two). */
export function lastRevision(revisions: readonly RevisionRecord[]): number {
  const sorted = [...new Set(revisions.map((r) => r.revision))].sort((a, b) => b - a);
  return sorted[1] ?? 0;
}

/** Decides a rollback to `to` with the fleet's template now hashing to `currentHash`. */
export function decideRollback(
  to: number,
  revisions: readonly RevisionRecord[],
  currentHash: string,
): RollbackDecision {
  const clear: FleetAction = { kind: 'clearRollback' };
  const target = to === 0 ? lastRevision(revisions) : to;
  if (target === 0)
    return {
      action: clear,
      event: {
        type: 'Warning',
        reason: 'RollbackRevisionNotFound',
        message: 'Unable to find last revision.',
      },
    };
  const record = revisions.find((r) => r.revision === target);
  if (record === undefined)
    return {
      action: clear,
      event: {
        type: 'Warning',
        reason: 'RollbackRevisionNotFound',
        message: `Unable to find revision ${target} to roll back to.`,
      },
    };
  if (record.hash === currentHash)
    return {
      action: clear,
      event: {
        type: 'Warning',
        reason: 'RollbackTemplateUnchanged',
        message: `Revision ${target} has the same template as the fleet now; nothing to roll back.`,
      },
    };
  return {
    action: { kind: 'rollback', hash: record.hash, revision: target },
    event: {
      type: 'Normal',
      reason: 'DeploymentRollback',
      message: `Rolled back fleet to revision ${target}.`,
    },
  };
}

/** Parses the annotation: a non-negative integer, else undefined (with `bad` true). */
export function parseRollbackTo(value: string | undefined): { to?: number; bad: boolean } {
  if (value === undefined) return { bad: false };
  if (!/^\d{1,9}$/.test(value.trim())) return { bad: true };
  return { to: Number(value.trim()), bad: false };
}
