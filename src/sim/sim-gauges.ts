/**
 * The simulator's vLLM gauges read at scrape time: queue depths and KV usage from the engine
 * core, the cache config as an info gauge, and the LoRA requests info gauge. What steps and
 * requests did is recorded apart (sim-metrics.ts).
 */
import { Gauge, type Registry } from 'prom-client';

/** Static facts shown in the info gauges. */
export interface SimMetricsInfo {
  readonly modelName: string;
  readonly maxModelLen: number;
  readonly blockSizeTokens: number;
  readonly numGpuBlocks: number;
  /** Null when LoRA is disabled (then vllm:lora_requests_info is not exported). */
  readonly maxLoras: number | null;
}

/** What the gauges read at scrape time (the EngineCore). */
export interface SimMetricsSource {
  readonly numRunning: number;
  readonly numWaiting: number;
  readonly pool: { readonly usageRatio: number };
  loraNames(): { running: string[]; waiting: string[] };
}

/** Registers the scrape-time gauges of one engine (`engine="0"`) on `registry`. */
export function registerSimGauges(
  registry: Registry,
  core: SimMetricsSource,
  info: SimMetricsInfo,
): void {
  const labels = { model_name: info.modelName, engine: '0' };
  const labelNames = ['model_name', 'engine'];
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.set(labels, read());
      },
    });
  };
  gauge(
    'vllm:num_requests_running',
    'Number of requests in model execution batches.',
    () => core.numRunning,
  );
  gauge(
    'vllm:num_requests_waiting',
    'Number of requests waiting to be processed.',
    () => core.numWaiting,
  );
  gauge(
    'vllm:kv_cache_usage_perc',
    'KV-cache usage. 1 means 100 percent usage.',
    () => core.pool.usageRatio,
  );
  gauge(
    'vllm:gpu_cache_usage_perc',
    'GPU KV-cache usage. 1 means 100 percent usage (deprecated).',
    () => core.pool.usageRatio,
  );
  new Gauge({
    name: 'vllm:cache_config_info',
    help: 'Information of the LLMEngine CacheConfig',
    labelNames: [
      'block_size',
      'cache_dtype',
      'enable_prefix_caching',
      'gpu_memory_utilization',
      'num_gpu_blocks',
      'num_cpu_blocks',
      'engine',
    ],
    registers,
  }).set(
    {
      block_size: String(info.blockSizeTokens),
      cache_dtype: 'auto',
      enable_prefix_caching: 'True',
      gpu_memory_utilization: '0.9',
      num_gpu_blocks: String(info.numGpuBlocks),
      num_cpu_blocks: '0',
      engine: '0',
    },
    1,
  );
  if (info.maxLoras !== null) {
    const maxLora = String(info.maxLoras);
    new Gauge({
      name: 'vllm:lora_requests_info',
      help: 'Running stats on lora requests.',
      labelNames: ['max_lora', 'waiting_lora_adapters', 'running_lora_adapters'],
      registers,
      collect() {
        // One series, the current one (vLLM leaves old label sets behind; consumers take the newest).
        this.reset();
        const names = core.loraNames();
        this.set(
          {
            max_lora: maxLora,
            waiting_lora_adapters: names.waiting.join(','),
            running_lora_adapters: names.running.join(','),
          },
          Date.now() / 1000,
        );
      },
    });
  }
}
