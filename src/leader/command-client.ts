/**
 * The one way the leader acts on a node (DESIGN.md §8b): `send` a command to a node's agent
 * and await its one result. Ids come from the injected rng, the epoch is stamped at each send,
 * and a bounded book (command-book.ts) holds what is pending. When a node's agent says hello
 * again, its pending commands are sent again with the same ids: the agent's record runs an id
 * once, so a command whose send or result was lost with a socket still runs once and answers.
 *
 * A node whose agent is not connected: the command waits up to `connectWaitMs` for the agent
 * to say hello, then fails with COMMAND_NODE_UNKNOWN. Waiting (rather than failing at once)
 * makes an agent restart or a network blip invisible to controllers; the bound keeps a command
 * for a node that is really gone from holding its slot for the whole command timeout.
 */
import type { Timers } from '../controllers/index.js';
import {
  PROTOCOL_VERSION,
  type CancelMessage,
  type CommandMessage,
  type JsonObject,
  type ProgressMessage,
  type ResultMessage,
} from '../protocol/index.js';
import {
  Counter,
  Gauge,
  randomInt,
  type Logger,
  type Registry,
  type Rng,
} from '../shared/index.js';
import { CommandBook, type CommandResult, type PendingCommand } from './command-book.js';

/** How the client reaches agents (the AgentHub). */
export interface CommandTransport {
  /** Sends to the node's connected agent; false when none is connected or the send failed. */
  send(node: string, message: CommandMessage | CancelMessage): boolean;
}

export interface CommandClientOptions {
  readonly transport: CommandTransport;
  /** The current leadership epoch; undefined when this process is not the leader. */
  readonly epoch: () => number | undefined;
  readonly rng: Rng;
  readonly timers: Timers;
  readonly log: Logger;
  readonly registry: Registry;
  /** Most commands pending at once. Default 1024. */
  readonly maxPending?: number;
  /** Leader-side timeout when the caller gives none. Default 600000 ms (10 min). */
  readonly defaultTimeoutMs?: number;
  /** Added to a caller's timeoutMs so the agent's own timeout answers first. Default 5000 ms. */
  readonly resultGraceMs?: number;
  /** How long a command waits for its node's agent to connect. Default 10000 ms. */
  readonly connectWaitMs?: number;
}

/** One command to send. */
export interface CommandRequest {
  readonly node: string;
  readonly kind: string;
  readonly args: JsonObject;
  /** The command's timeout on the agent; the leader gives up `resultGraceMs` later. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the command (COMMAND_CANCELLED). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JsonObject) => void;
}

const failed = (code: string, message: string): CommandResult => ({ ok: false, code, message });

export class CommandClient {
  readonly #options: CommandClientOptions;
  readonly #book: CommandBook;
  readonly #connectWaits = new Map<string, () => void>();
  readonly #sent: Counter<'kind' | 'outcome'>;
  readonly #ignored: Counter<'reason'>;

  constructor(options: CommandClientOptions) {
    this.#options = options;
    this.#book = new CommandBook(options.maxPending ?? 1024);
    this.#sent = new Counter({
      name: 'infernode_leader_commands_total',
      help: 'Commands settled, by kind and outcome (ok or an error code)',
      labelNames: ['kind', 'outcome'],
      registers: [options.registry],
    });
    this.#ignored = new Counter({
      name: 'infernode_leader_command_results_ignored_total',
      help: 'Results ignored: late or duplicate (unknown id), or from another node',
      labelNames: ['reason'],
      registers: [options.registry],
    });
    const book = this.#book;
    new Gauge({
      name: 'infernode_leader_commands_pending',
      help: 'Commands awaiting a result',
      registers: [options.registry],
      collect() {
        this.set(book.size);
      },
    });
  }

  /** Sends a command and resolves with its one result; never rejects. */
  send(request: CommandRequest): Promise<CommandResult> {
    return this.start(request).result;
  }

  /** Like {@link send}, and returns the command's id (for {@link cancel}) at once. */
  start(request: CommandRequest): { readonly id: string; readonly result: Promise<CommandResult> } {
    const id = this.#newId();
    const result = new Promise<CommandResult>((resolve) => {
      const o = this.#options;
      if (o.epoch() === undefined)
        return resolve(failed('COMMAND_FAILED', 'this process is not the leader'));
      if (request.signal?.aborted === true)
        return resolve(failed('COMMAND_CANCELLED', 'cancelled before it was sent'));
      const cancelTimeout = o.timers.schedule(
        request.timeoutMs === undefined
          ? (o.defaultTimeoutMs ?? 600_000)
          : request.timeoutMs + (o.resultGraceMs ?? 5000),
        () => this.#abandon(id, 'COMMAND_TIMEOUT', `no result from node ${request.node} in time`),
      );
      const onAbort = (): void => this.cancel(id);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const pending: PendingCommand = {
        id,
        node: request.node,
        kind: request.kind,
        args: request.args,
        timeoutMs: request.timeoutMs,
        sent: false,
        onProgress: request.onProgress,
        settle: (r) => {
          cancelTimeout();
          this.#connectWaits.get(id)?.();
          this.#connectWaits.delete(id);
          request.signal?.removeEventListener('abort', onAbort);
          this.#sent.inc({ kind: request.kind, outcome: r.ok ? 'ok' : r.code });
          resolve(r);
        },
      };
      if (!this.#book.add(pending)) {
        cancelTimeout();
        request.signal?.removeEventListener('abort', onAbort);
        return resolve(failed('COMMAND_QUEUE_FULL', 'too many commands pending on the leader'));
      }
      if (!this.#transmit(pending)) this.#awaitAgent(pending);
    });
    return { id, result };
  }

  /** Cancels a pending command: the agent is told, the caller gets COMMAND_CANCELLED now. */
  cancel(id: string): void {
    this.#abandon(id, 'COMMAND_CANCELLED', 'cancelled by the leader');
  }

  /** A node's agent said hello (after its welcome): send its pending commands again. */
  agentHello(node: string): void {
    for (const pending of this.#book.toResend(node)) {
      if (this.#transmit(pending)) {
        this.#connectWaits.get(pending.id)?.();
        this.#connectWaits.delete(pending.id);
      }
    }
  }

  /** A `progress` or `result` from a node's agent (the hub validated it). */
  agentMessage(node: string, message: ProgressMessage | ResultMessage): void {
    if (message.type === 'progress') {
      this.#book.progressFor(node, message.id)?.onProgress?.(message.progress);
      return;
    }
    const verdict = this.#book.onResult(node, message);
    if (verdict.kind === 'settle') verdict.pending.settle(verdict.result);
    else {
      this.#ignored.inc({ reason: verdict.kind });
      this.#options.log.debug({ node, id: message.id, reason: verdict.kind }, 'result ignored');
    }
  }

  #transmit(pending: PendingCommand): boolean {
    const epoch = this.#options.epoch();
    if (epoch === undefined) return false;
    const message: CommandMessage = {
      v: PROTOCOL_VERSION,
      type: 'command',
      id: pending.id,
      epoch,
      kind: pending.kind,
      args: pending.args,
      ...(pending.timeoutMs === undefined ? {} : { timeoutMs: pending.timeoutMs }),
    };
    const sent = this.#options.transport.send(pending.node, message);
    pending.sent ||= sent;
    return sent;
  }

  /** No agent took the command: wait a bounded time for the node's hello. */
  #awaitAgent(pending: PendingCommand): void {
    const waitMs = this.#options.connectWaitMs ?? 10_000;
    const cancel = this.#options.timers.schedule(waitMs, () => {
      this.#connectWaits.delete(pending.id);
      this.#abandon(
        pending.id,
        'COMMAND_NODE_UNKNOWN',
        `no agent of node ${pending.node} connected within ${waitMs} ms`,
      );
    });
    this.#connectWaits.set(pending.id, cancel);
  }

  /** Settles a pending command without its result, and tells the agent to stop it. */
  #abandon(id: string, code: string, message: string): void {
    const pending = this.#book.remove(id);
    if (pending === undefined) return;
    if (pending.sent)
      this.#options.transport.send(pending.node, { v: PROTOCOL_VERSION, type: 'cancel', id });
    pending.settle(failed(code, message));
  }

  /** 128 random bits from the injected rng, as 32 hex digits. */
  #newId(): string {
    let id = 'cmd-';
    for (let i = 0; i < 4; i++)
      id += randomInt(this.#options.rng, 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    return id;
  }
}
