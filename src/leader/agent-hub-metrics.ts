/** The agent hub's metrics: agents connected, messages received by type, rejections by reason. */
import { Counter, Gauge, type Registry } from '../shared/index.js';

export class AgentHubMetrics {
  readonly connected: Gauge;
  readonly rejected: Counter<'reason'>;
  readonly received: Counter<'type'>;
  readonly kvBinaryFrames: Counter;

  constructor(registry: Registry) {
    this.connected = new Gauge({
      name: 'infernode_leader_agents_connected',
      help: 'Agents connected to the hub',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'infernode_leader_agent_messages_rejected_total',
      help: 'Agent messages or connections rejected, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.received = new Counter({
      name: 'infernode_leader_agent_messages_total',
      help: 'Valid agent messages received, by type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.kvBinaryFrames = new Counter({
      name: 'infernode_leader_agent_kv_binary_frames_total',
      help: 'Valid kv messages received as binary frames (also counted by type)',
      registers: [registry],
    });
  }
}
