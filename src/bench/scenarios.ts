import type { Command } from '../shared/index.js';
import { autoscalingBench } from './autoscaling-bench.js';
import { gatewayBench } from './gateway-bench.js';
import { gpuBench } from './gpu-bench.js';
import { kvBench } from './kv-bench.js';
import { kvBoundBench } from './kv-bound-bench.js';
import { kvStoreBench } from './kv-store-bench.js';
import { leaderBench } from './leader-bench.js';
import { loraBench } from './lora-bench.js';
import { optimizerBench } from './optimizer-bench.js';
import { profileBench } from './profile-bench.js';
import { routingBench } from './routing-bench.js';
import { routingPickBench } from './routing-pick-bench.js';
import { serveBench } from './serve-bench.js';
import { simBenchCommand } from './sim-bench.js';
import { weightsBench } from './weights-bench.js';

/** Every benchmark scenario, in the order `infernode bench --help` lists them. */
export const BENCH_SCENARIOS: readonly Command[] = [
  gpuBench,
  simBenchCommand,
  gatewayBench,
  routingPickBench,
  routingBench,
  kvStoreBench,
  kvBench,
  kvBoundBench,
  weightsBench,
  loraBench,
  autoscalingBench,
  profileBench,
  optimizerBench,
  serveBench,
  leaderBench,
];
