/**
 * When the engine watcher reads an engine's /v1/models (what it serves, its loaded adapters).
 * Every `everyN` cycles, and at once when it may have changed: the adapter manager asked, the
 * engine came back after failed health checks, or its request counter went backwards (a new
 * process). An engine with adapters is read every cycle: a restart that fits between two scrapes
 * loses its adapters with no other sign, and the leader must hear of the loss within one scrape
 * period to re-load them (issue #13; AIBrix heals only on a periodic sweep). Pure.
 */

/** What the watcher knows of one engine this cycle. */
export interface ModelsReadInputs {
  /** This engine's cycle number, 1 for its first. */
  readonly cycle: number;
  readonly everyN: number;
  /** The adapter manager asked for a read. */
  readonly requested: boolean;
  /** The last read listed adapters. */
  readonly hasAdapters: boolean;
  /** Health answered now after failing before. */
  readonly healthRecovered: boolean;
  /** The success counter is below the previous scrape's. */
  readonly counterReset: boolean;
}

/** True when /v1/models should be read this cycle; see the file comment. */
export function modelsReadDue(i: ModelsReadInputs): boolean {
  return (
    i.everyN === 1 ||
    i.cycle % i.everyN === 1 ||
    i.requested ||
    i.hasAdapters ||
    i.healthRecovered ||
    i.counterReset
  );
}
