/**
 * The agent's command metrics: commands by kind and outcome, queue depth, commands in flight
 * and how long they ran. Kinds are the registered handlers' names (unknown ones count under
 * `unknown`), outcomes are `ok` or an error code: both bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from '../shared/index.js';

export class CommandMetrics {
  readonly commands: Counter<'kind' | 'outcome'>;
  readonly duplicates: Counter<'kind'>;
  readonly queueDepth: Gauge;
  readonly inFlight: Gauge<'kind'>;
  readonly duration: Histogram<'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.commands = new Counter({
      name: 'infernode_agent_commands_total',
      help: 'Commands finished or refused, by kind and outcome (ok or an error code)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'infernode_agent_command_duplicates_total',
      help: 'Commands received again with an id already known (not run again)',
      labelNames: ['kind'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'infernode_agent_command_queue_depth',
      help: 'Commands waiting for a free slot of their kind',
      registers,
    });
    this.inFlight = new Gauge({
      name: 'infernode_agent_commands_in_flight',
      help: 'Commands running, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.duration = new Histogram({
      name: 'infernode_agent_command_duration_seconds',
      help: 'How long commands ran, by kind',
      labelNames: ['kind'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    });
  }
}
