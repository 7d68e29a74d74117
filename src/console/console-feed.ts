/**
 * The console feed: assembles the snapshot from the leader's sources and, once per tick, the
 * delta since the previous tick. Every stream gets the snapshot as of the last tick and then
 * the same deltas, so a page's copy always equals the feed's (applyConsoleDelta). Pure: the
 * leader's wiring drives `tick` and `sample` with its timers and fans the deltas out.
 */
import type { Clock } from '../shared/index.js';
import { ConsoleEventLog } from './console-event-log.js';
import { EngineSeries, samplesOf, type EngineSeriesOptions } from './engine-series.js';
import { stateEvents } from './state-events.js';
import {
  CONSOLE_SNAPSHOT_VERSION,
  type ConsoleAdapter,
  type ConsoleAutoscaler,
  type ConsoleDelta,
  type ConsoleEngine,
  type ConsoleKv,
  type ConsoleLeader,
  type ConsoleNode,
  type ConsoleRouting,
  type ConsoleSnapshot,
} from './console-snapshot.js';

/** Where each section comes from; each call returns the current state. */
export interface ConsoleSources {
  readonly leader: () => ConsoleLeader;
  readonly nodes: () => ConsoleNode[];
  readonly engines: () => ConsoleEngine[];
  /**
   * Optional: the same engines section read across event-loop turns, `between` awaited between
   * its parts; {@link ConsoleFeed.tickSpread} uses it. At 1,000 nodes the section is 8,000 rows,
   * the console's longest turn (`bench leader`'s profile, issue #18).
   */
  readonly enginesSpread?: (between: () => Promise<void>) => Promise<ConsoleEngine[]>;
  readonly routing: () => ConsoleRouting;
  readonly adapters: () => ConsoleAdapter[];
  readonly autoscalers: () => ConsoleAutoscaler[];
  readonly kv: () => ConsoleKv;
}

/** The feed's parts. */
export interface ConsoleFeedOptions {
  readonly sources: ConsoleSources;
  readonly clock: Clock;
  readonly series: EngineSeriesOptions;
  /** Shared with producers that record events directly; default a new log. */
  readonly events?: ConsoleEventLog;
}

/** The sections a delta replaces whole when they changed. */
const SECTIONS = [
  'leader',
  'nodes',
  'engines',
  'routing',
  'adapters',
  'autoscalers',
  'kv',
] as const;
type SectionName = (typeof SECTIONS)[number];
type Sections = Pick<ConsoleSnapshot, SectionName>;

/** Builds snapshots and deltas. */
export class ConsoleFeed {
  readonly events: ConsoleEventLog;
  readonly #sources: ConsoleSources;
  readonly #clock: Clock;
  readonly #series: EngineSeries;
  #last: ConsoleSnapshot | undefined;
  /** Each section of the last snapshot as JSON: a changed text is a changed section. */
  #lastText = new Map<SectionName, string>();
  #lastEventId = 0;
  #lastSampleT = -Infinity;
  #seq = 0;

  constructor(options: ConsoleFeedOptions) {
    this.#sources = options.sources;
    this.#clock = options.clock;
    this.#series = new EngineSeries(options.series);
    this.events = options.events ?? new ConsoleEventLog(options.clock);
  }

  #read(): Sections {
    const s = this.#sources;
    return {
      leader: s.leader(),
      nodes: s.nodes(),
      engines: s.engines(),
      routing: s.routing(),
      adapters: s.adapters(),
      autoscalers: s.autoscalers(),
      kv: s.kv(),
    };
  }

  /**
   * {@link tick}, with the sections read one at a time and `between` awaited after each (and
   * within the engines section, given `enginesSpread`): the wiring yields to the event loop
   * there, so at a thousand nodes (engines and nodes sections ~10 ms each) no single turn holds
   * the leader's loop for the whole read. `sample`: also {@link sample}, from this read.
   */
  async tickSpread(
    watched: boolean,
    between: () => Promise<void>,
    sample = false,
  ): Promise<ConsoleDelta | undefined> {
    const s = this.#sources;
    const read: Partial<Record<SectionName, unknown>> = {};
    for (const name of SECTIONS) {
      read[name] =
        name === 'engines' && s.enginesSpread !== undefined
          ? await s.enginesSpread(between)
          : s[name]();
      await between();
    }
    const sections = read as Sections;
    // `sample`: the series take this tick's engines rather than reading them all again.
    if (sample) this.#series.add(samplesOf(sections.engines, this.#clock.now()));
    return this.tick(watched, sections);
  }

  /** The snapshot as of the last tick (the first call ticks). */
  snapshot(): ConsoleSnapshot {
    if (this.#last === undefined) this.tick();
    return this.#last as ConsoleSnapshot;
  }

  /** Samples every engine's series once (the wiring calls it every `series.intervalMs`). */
  sample(): void {
    this.#series.add(samplesOf(this.#sources.engines(), this.#clock.now()));
  }

  /**
   * Reads every source, records the events the change implies, and returns the delta since the
   * previous tick; undefined when nothing changed (or on the first tick, which only sets the
   * snapshot). `watched: false` (no page open) skips comparing the sections as JSON, the tick's
   * main cost at a thousand nodes: the delta then carries every section, and so does the next
   * watched tick's, which keeps a page that opens meanwhile equal to the feed.
   */
  tick(watched = true, sections: Sections = this.#read()): ConsoleDelta | undefined {
    for (const e of stateEvents(this.#last, sections)) this.events.record(e);
    const now = this.#clock.now();
    const changed: Partial<Record<SectionName, unknown>> = {};
    const texts = new Map<SectionName, string>();
    for (const name of SECTIONS) {
      const text = watched ? JSON.stringify(sections[name]) : undefined;
      if (text !== undefined) texts.set(name, text);
      if (text === undefined || this.#lastText.get(name) !== text) changed[name] = sections[name];
    }
    const events = this.events.since(this.#lastEventId);
    const samples = this.#series.since(this.#lastSampleT);
    const first = this.#last === undefined;
    const anything = Object.keys(changed).length > 0 || events.length > 0 || samples.length > 0;
    if (anything || first) this.#seq++;
    this.#last = {
      v: CONSOLE_SNAPSHOT_VERSION,
      seq: this.#seq,
      generatedAtMs: now,
      ...sections,
      events: this.events.recent(),
      series: this.#series.series(),
    };
    this.#lastText = texts;
    this.#lastEventId = this.events.lastId;
    this.#lastSampleT = Math.max(this.#lastSampleT, this.#series.newestT);
    if (first || !anything) return undefined;
    return {
      v: CONSOLE_SNAPSHOT_VERSION,
      seq: this.#seq,
      generatedAtMs: now,
      ...(changed as Partial<Sections>),
      ...(events.length > 0 ? { events } : {}),
      ...(samples.length > 0 ? { samples } : {}),
    };
  }
}
