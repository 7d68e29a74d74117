/**
 * The engine reports the leader holds from this connection, kept as their JSON text: what the
 * next `state` delta must carry (the engines whose report changed, the engines gone) so unchanged
 * engines are never sent again. Apart from the leader client because it is a plain diff over
 * reports, with no socket in it.
 */
import type { EngineReport } from '../protocol/index.js';

/** A delta's engine part: reports that changed and ids no longer reported. */
export interface EngineDelta {
  readonly engines: EngineReport[];
  readonly removedEngines: string[];
}

export class SentEngineReports {
  #sent = new Map<string, string>();

  /** What changed from the reports sent to `reports`; undefined when nothing did. */
  diff(reports: readonly EngineReport[]): EngineDelta | undefined {
    const changed: EngineReport[] = [];
    const seen = new Set<string>();
    for (const r of reports) {
      seen.add(r.id);
      const text = JSON.stringify(r);
      if (this.#sent.get(r.id) !== text) changed.push(r);
    }
    const removed = [...this.#sent.keys()].filter((id) => !seen.has(id));
    if (changed.length === 0 && removed.length === 0) return undefined;
    return { engines: changed, removedEngines: removed };
  }

  /** The delta went out: the leader now holds it. */
  sent(delta: EngineDelta): void {
    for (const r of delta.engines) this.#sent.set(r.id, JSON.stringify(r));
    for (const id of delta.removedEngines) this.#sent.delete(id);
  }

  /** A hello carried these reports whole: the leader holds exactly them. */
  reset(reports: readonly EngineReport[]): void {
    this.#sent = new Map(reports.map((r) => [r.id, JSON.stringify(r)]));
  }
}
