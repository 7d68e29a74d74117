/**
 * The agent's command executor: runs the leader's commands through handlers registered per kind
 * (command-handler.ts), with a bounded queue, per-kind concurrency and timeouts, cancel, epoch
 * fencing (a command from an epoch older than the newest seen is refused), idempotency by id
 * and replay after a reconnect (command-record.ts). Every command gets exactly one result.
 */
import {
  COMMAND_LIMITS,
  PROTOCOL_VERSION,
  checkJsonObject,
  type CommandMessage,
  type JsonObject,
  type ResultMessage,
} from '../protocol/index.js';
import {
  AppError,
  linkedSignal,
  toError,
  whenAborted,
  type Clock,
  type Logger,
} from '../shared/index.js';
import { failure, outcomeOfError, outcomeOfValue, raceAbort } from './command-outcome.js';
import { isCommandMessage, type CommandChannel, type CommandSend } from './command-channel.js';
import type { CommandHandler, CommandOutcome } from './command-handler.js';
import type { CommandMetrics } from './command-metrics.js';
import { CommandRecord, type CommandEntry, type CommandRecordLimits } from './command-record.js';

export interface CommandExecutorOptions {
  readonly handlers: readonly CommandHandler[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: CommandMetrics;
  /** Most commands waiting for a slot, all kinds together. Default 256. */
  readonly maxQueued?: number;
  readonly record?: Partial<CommandRecordLimits>;
}

interface Queued {
  readonly entry: CommandEntry;
  readonly handler: CommandHandler;
  readonly args: unknown;
  readonly timeoutMs: number;
}

export class CommandExecutor implements CommandChannel {
  readonly name = 'command-executor';
  readonly #options: CommandExecutorOptions;
  readonly #handlers: ReadonlyMap<string, CommandHandler>;
  readonly #record: CommandRecord;
  readonly #queue: Queued[] = [];
  readonly #cancels = new Map<string, AbortController>();
  readonly #runningByKind = new Map<string, number>();
  readonly #stop = new AbortController();
  #highestEpoch = -1;
  #send: CommandSend | undefined;

  constructor(options: CommandExecutorOptions) {
    this.#options = options;
    this.#handlers = new Map(options.handlers.map((h) => [h.kind, h]));
    this.#record = new CommandRecord(options.record);
  }

  /** The newest leader epoch this agent has seen (welcome or command); -1 before any. */
  get highestEpoch(): number {
    return this.#highestEpoch;
  }

  /** The record entry of a command id, for the local API and tests. */
  entry(id: string): Readonly<CommandEntry> | undefined {
    return this.#record.get(id);
  }

  welcomed(epoch: number, send: CommandSend): void {
    this.#highestEpoch = Math.max(this.#highestEpoch, epoch);
    this.#send = send;
    const { results, progress } = this.#record.toReplay();
    for (const e of results) this.#deliver(e);
    for (const e of progress) if (e.progress !== undefined) this.#sendProgress(e, e.progress);
  }

  received(message: Parameters<CommandChannel['received']>[0]): void {
    if (!isCommandMessage(message)) return;
    if (message.type === 'cancel') this.cancel(message.id);
    else this.submit(message);
  }

  disconnected(): void {
    this.#send = undefined;
  }

  /** Takes one command: runs it once per id, or answers at once when it cannot run. */
  submit(command: CommandMessage): void {
    const known = this.#record.get(command.id);
    if (known !== undefined) {
      // Idempotency: the same id never runs twice. A finished one gets its result again (the
      // first may have been lost with a socket); a queued or running one answers when done.
      this.#options.metrics.duplicates.inc({ kind: this.#kindLabel(command.kind) });
      if (known.state === 'finished') this.#deliver(known);
      return;
    }
    if (command.epoch < this.#highestEpoch)
      return this.#refuse(
        command,
        'COMMAND_STALE_EPOCH',
        `command from leader epoch ${command.epoch} refused: this agent has seen epoch ${this.#highestEpoch}`,
      );
    this.#highestEpoch = command.epoch;
    const handler = this.#handlers.get(command.kind);
    if (handler === undefined)
      return this.#finishAtOnce(
        command,
        failure(
          'COMMAND_UNKNOWN_KIND',
          `unknown command kind ${JSON.stringify(command.kind)}; known: ${[...this.#handlers.keys()].join(', ')}`,
        ),
      );
    let parsed: ReturnType<CommandHandler['parseArgs']>;
    try {
      parsed = handler.parseArgs(command.args);
    } catch (err) {
      parsed = { ok: false, message: toError(err).message };
    }
    if (!parsed.ok)
      return this.#finishAtOnce(
        command,
        failure('COMMAND_BAD_ARGS', `${command.kind}: ${parsed.message}`),
      );
    // A refusal for a full queue is not recorded: the same id may be sent again later and run.
    const full = `command queue full (${this.#options.maxQueued ?? 256} waiting)`;
    if (this.#queue.length >= (this.#options.maxQueued ?? 256))
      return this.#refuse(command, 'COMMAND_QUEUE_FULL', full);
    const entry = this.#record.add(command.id, command.kind, this.#options.clock.now());
    if (entry === undefined) return this.#refuse(command, 'COMMAND_QUEUE_FULL', full);
    this.#queue.push({
      entry,
      handler,
      args: parsed.args,
      timeoutMs: command.timeoutMs ?? handler.timeoutMs,
    });
    this.#pump();
  }

  /** Cancels a queued or running command; its result says COMMAND_CANCELLED. */
  cancel(id: string): void {
    const queued = this.#queue.find((q) => q.entry.id === id);
    if (queued !== undefined) {
      this.#queue.splice(this.#queue.indexOf(queued), 1);
      this.#options.metrics.queueDepth.set(this.#queue.length);
      this.#finish(queued.entry, failure('COMMAND_CANCELLED', 'cancelled by the leader'));
      return;
    }
    this.#cancels.get(id)?.abort(new AppError('COMMAND_CANCELLED', 'cancelled by the leader'));
  }

  /** Runs until `signal` aborts; then stops every command, queued or running. */
  async run(signal: AbortSignal): Promise<void> {
    await whenAborted(signal);
    this.#stop.abort(new AppError('COMMAND_CANCELLED', 'agent stopping'));
    for (const q of this.#queue.splice(0))
      this.#finish(q.entry, failure('COMMAND_CANCELLED', 'agent stopping'));
    this.#options.metrics.queueDepth.set(0);
  }

  /** Starts every queued command whose kind has a free slot, in arrival order. */
  #pump(): void {
    const startable = this.#queue.filter((q) => {
      const running = this.#runningByKind.get(q.handler.kind) ?? 0;
      if (running >= q.handler.concurrency) return false;
      // Counted now, so later entries of the same kind see the slot taken.
      this.#runningByKind.set(q.handler.kind, running + 1);
      return true;
    });
    for (const q of startable) this.#queue.splice(this.#queue.indexOf(q), 1);
    for (const q of startable) void this.#start(q);
    this.#options.metrics.queueDepth.set(this.#queue.length);
  }

  async #start(q: Queued): Promise<void> {
    const { entry, handler } = q;
    const { clock, metrics } = this.#options;
    entry.state = 'running';
    metrics.inFlight.inc({ kind: handler.kind });
    const cancel = new AbortController();
    this.#cancels.set(entry.id, cancel);
    const link = linkedSignal([this.#stop.signal, cancel.signal], q.timeoutMs);
    const log = this.#options.log.child({ command: entry.id, kind: handler.kind });
    const started = clock.monotonicMs();
    let outcome: CommandOutcome;
    try {
      const value = await raceAbort(
        handler.run(q.args, {
          signal: link.signal,
          log,
          progress: (p) => this.#progress(entry, p, log),
        }),
        link.signal,
      );
      outcome = outcomeOfValue(handler.kind, value);
    } catch (err) {
      outcome = outcomeOfError(handler.kind, err, link, q.timeoutMs);
      if (!outcome.ok)
        log.warn({ code: outcome.error.code, reason: outcome.error.message }, 'command failed');
    } finally {
      link.dispose();
      this.#cancels.delete(entry.id);
      this.#runningByKind.set(handler.kind, (this.#runningByKind.get(handler.kind) ?? 1) - 1);
      metrics.inFlight.dec({ kind: handler.kind });
    }
    metrics.duration.observe({ kind: handler.kind }, (clock.monotonicMs() - started) / 1000);
    this.#finish(entry, outcome);
    this.#pump();
  }

  #progress(entry: CommandEntry, progress: JsonObject, log: Logger): void {
    if (entry.state !== 'running') return;
    const bad = checkJsonObject(progress, 'progress', COMMAND_LIMITS.progressBytes);
    if (bad !== undefined) return log.warn({ reason: bad }, 'progress dropped');
    entry.progress = progress;
    this.#sendProgress(entry, progress);
  }

  #sendProgress(entry: CommandEntry, progress: JsonObject): void {
    this.#send?.({ v: PROTOCOL_VERSION, type: 'progress', id: entry.id, progress });
  }

  #finishAtOnce(command: CommandMessage, outcome: CommandOutcome): void {
    const entry = this.#record.add(command.id, command.kind, this.#options.clock.now());
    if (entry === undefined) this.#sendResult(command.id, command.kind, outcome);
    else this.#finish(entry, outcome);
  }

  #finish(entry: CommandEntry, outcome: CommandOutcome): void {
    this.#record.finish(entry, outcome, this.#options.clock.now());
    this.#options.metrics.commands.inc({
      kind: this.#kindLabel(entry.kind),
      outcome: outcome.ok ? 'ok' : outcome.error.code,
    });
    this.#deliver(entry);
  }

  /** Answers without recording: the same id may come again and be judged afresh. */
  #refuse(command: CommandMessage, code: string, message: string): void {
    this.#options.metrics.commands.inc({ kind: this.#kindLabel(command.kind), outcome: code });
    this.#sendResult(command.id, command.kind, failure(code, message));
  }

  #deliver(entry: CommandEntry): void {
    if (entry.outcome === undefined) return;
    entry.delivered = this.#sendResult(entry.id, entry.kind, entry.outcome);
  }

  #sendResult(id: string, kind: string, outcome: CommandOutcome): boolean {
    const message: ResultMessage = { v: PROTOCOL_VERSION, type: 'result', id, kind, ...outcome };
    return this.#send?.(message) ?? false;
  }

  #kindLabel(kind: string): string {
    return this.#handlers.has(kind) ? kind : 'unknown';
  }
}
