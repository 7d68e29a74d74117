/** `bench leader`'s flags, their typed values, what `--quick` changes, and the command line. */
import { bool, int, num, str } from '../shared/index.js';

export const leaderBenchSpec = {
  agents: int(1000, 'simulated agents (nodes)', { min: 1, max: 5000 }),
  engines: int(8, 'engines per agent', { min: 1, max: 64 }),
  models: int(
    8,
    'models the engines are spread over (engines per model = agents × engines ÷ this)',
    {
      min: 1,
    },
  ),
  duration: num(60, 'measured seconds (after every agent connected and the warm-up)', {
    min: 1,
  }),
  warmupS: num(15, 'seconds of full load before measuring', { min: 0 }),
  warmupPicks: bool(
    true,
    'the warm-up carries the picks too, so the measured window starts with the gateway warm; the first window of picks is reported apart (--no-warmup-picks: picks start with the measured window, the before)',
  ),
  periodMs: int(500, 'each agent’s state delta period, ms (the agent’s scrape interval)', {
    min: 50,
  }),
  kvBlocksPerS: num(100, 'KV blocks each node stores per second (0: no kv messages)', { min: 0 }),
  kvBlocksPerEngine: int(100, 'KV blocks each engine holds; older ones are reported removed', {
    min: 1,
  }),
  kvFlushMs: int(100, 'KV batch period, ms (the agent’s KV reporter flush interval)', { min: 10 }),
  rate: num(100, 'gateway requests (picks) per second during the measured window', { min: 0 }),
  trials: int(5, 'probe trials of each kind (plain delta, urgent GPU failure)', { min: 1 }),
  agentProcesses: int(2, 'child processes the simulated agents are spread over', {
    min: 1,
    max: 16,
  }),
  connectPerS: int(200, 'new agent connections per second per child process', { min: 1 }),
  stubEngines: int(4, 'stub engine servers every engine URL points at', { min: 1, max: 64 }),
  kvJson: bool(
    false,
    'agents send kv batches as JSON even when the leader accepts binary frames (the before of kv-binary)',
  ),
  blockIndexSampleEvery: int(
    1,
    'the leader’s routing.prefixCache.blockIndexSampleEvery: its KV block index keeps one block in N',
    { min: 1, max: 64 },
  ),
  blockIndexWorker: bool(
    true,
    'the leader’s routing.prefixCache.blockIndexWorker: its KV block index applied in a worker thread (--no-block-index-worker: on its main thread, the before)',
  ),
  pace: bool(
    true,
    'agents offer the pace feature (--no-pace: they report at the full rate whatever the leader asks, so two builds compare at the same load)',
  ),
  maxScoredCandidates: int(
    64,
    'the leader’s routing.maxScoredCandidates: a pick scores at most this many of a model’s engines (0: all, the before)',
    { min: 0 },
  ),
  gatewayFollowers: int(
    0,
    'gateway replicas that follow the leader (each a leader process on its own ports, fed by the replica feed); the picks are spread over every gateway',
    { min: 0, max: 4 },
  ),
  leaderPicks: bool(
    true,
    'the leader’s own gateway takes its share of the picks (--no-leader-picks with --gateway-followers: only the followers serve them)',
  ),
  quick: bool(false, 'a small short run for tests: 20 agents × 2 engines, 4 s, 2 trials'),
  cpuProfDir: str('', 'write a V8 CPU profile of the leader here'),
  out: str('bench/results/leader.json', 'result file'),
};

/** The typed values of the spec. */
export interface LeaderBenchConfig {
  readonly agents: number;
  readonly engines: number;
  readonly models: number;
  readonly duration: number;
  readonly warmupS: number;
  readonly warmupPicks: boolean;
  readonly periodMs: number;
  readonly kvBlocksPerS: number;
  readonly kvBlocksPerEngine: number;
  readonly kvFlushMs: number;
  readonly rate: number;
  readonly trials: number;
  readonly agentProcesses: number;
  readonly connectPerS: number;
  readonly stubEngines: number;
  readonly kvJson: boolean;
  readonly blockIndexSampleEvery: number;
  readonly blockIndexWorker: boolean;
  readonly pace: boolean;
  readonly maxScoredCandidates: number;
  readonly gatewayFollowers: number;
  readonly leaderPicks: boolean;
  readonly quick: boolean;
  readonly cpuProfDir: string;
  readonly out: string;
}

/** `--quick` replaces the size and length (the rest stays as given). */
export function withQuick(c: LeaderBenchConfig): LeaderBenchConfig {
  if (!c.quick) return c;
  return {
    ...c,
    agents: 20,
    engines: 2,
    models: 2,
    duration: 4,
    warmupS: 1,
    trials: 2,
    rate: 20,
    stubEngines: 1,
  };
}

/** The command line that reproduces a run. */
export function leaderBenchCommandLine(c: LeaderBenchConfig): string {
  const gateways =
    (c.gatewayFollowers === 0 ? '' : ` --gateway-followers ${c.gatewayFollowers}`) +
    (c.leaderPicks ? '' : ' --no-leader-picks');
  if (c.quick) return `infernode bench leader --quick${gateways} --out ${c.out}`;
  return (
    `infernode bench leader --agents ${c.agents} --engines ${c.engines} --models ${c.models} ` +
    `--duration ${c.duration} --warmup-s ${c.warmupS} --period-ms ${c.periodMs} ` +
    `--kv-blocks-per-s ${c.kvBlocksPerS} --kv-blocks-per-engine ${c.kvBlocksPerEngine} ` +
    `--rate ${c.rate} --trials ${c.trials} --agent-processes ${c.agentProcesses}` +
    (c.kvFlushMs === 100 ? '' : ` --kv-flush-ms ${c.kvFlushMs}`) +
    (c.kvJson ? ' --kv-json' : '') +
    (c.blockIndexSampleEvery === 1
      ? ''
      : ` --block-index-sample-every ${c.blockIndexSampleEvery}`) +
    (c.blockIndexWorker ? '' : ' --no-block-index-worker') +
    (c.maxScoredCandidates === 64 ? '' : ` --max-scored-candidates ${c.maxScoredCandidates}`) +
    (c.pace ? '' : ' --no-pace') +
    (c.warmupPicks ? '' : ' --no-warmup-picks') +
    gateways
  );
}
