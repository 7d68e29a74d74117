/**
 * The simulator's `/metrics`: vLLM V1's Prometheus names, labels (`model_name`, `engine`) and
 * buckets (reference/perf.md §8.1), fed by what the engine loop actually did. Times are
 * simulated seconds (the model's clock, independent of --speed). Built on a Registry owned by
 * the simulator instance, never prom-client's global one. The gauges read at scrape time are
 * sim-gauges.ts; this file records what each step and request did.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CoreRequest, FinishReason, StepResult } from './core-types.js';
import {
  ITERATION_TOKEN_BUCKETS,
  ITL_BUCKETS_S,
  REQUEST_LATENCY_BUCKETS_S,
  TTFT_BUCKETS_S,
  buckets125,
} from './metric-buckets.js';
import { registerSimGauges, type SimMetricsInfo, type SimMetricsSource } from './sim-gauges.js';

export type { SimMetricsInfo, SimMetricsSource } from './sim-gauges.js';

type HistogramKey =
  | 'ttft'
  | 'itl'
  | 'tpot'
  | 'reqTpot'
  | 'e2e'
  | 'queue'
  | 'inference'
  | 'prefill'
  | 'decode'
  | 'promptTokens'
  | 'genTokens'
  | 'maxTokens'
  | 'iteration';

/** Every vLLM metric the simulator exports, registered on one registry. */
export class SimMetrics {
  readonly #labels: { model_name: string; engine: string };
  readonly #success: Counter;
  readonly #counters: Record<'queries' | 'hits' | 'preempt' | 'prompt' | 'gen', Counter.Internal>;
  readonly #h: Record<HistogramKey, Histogram.Internal<string>>;

  constructor(registry: Registry, core: SimMetricsSource, info: SimMetricsInfo) {
    const labels = { model_name: info.modelName, engine: '0' };
    this.#labels = labels;
    const labelNames = ['model_name', 'engine'];
    const registers = [registry];
    registerSimGauges(registry, core, info);
    // Children are created (at zero) up front, as Python's prometheus_client does on .labels().
    const counter = (name: string, help: string): Counter.Internal => {
      const c = new Counter({ name, help, labelNames, registers });
      c.inc(labels, 0);
      return c.labels(labels);
    };
    this.#counters = {
      queries: counter(
        'vllm:prefix_cache_queries_total',
        'Prefix cache queries, in terms of number of queried tokens.',
      ),
      hits: counter(
        'vllm:prefix_cache_hits_total',
        'Prefix cache hits, in terms of number of cached tokens.',
      ),
      preempt: counter(
        'vllm:num_preemptions_total',
        'Cumulative number of preemption from the engine.',
      ),
      prompt: counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.'),
      gen: counter('vllm:generation_tokens_total', 'Number of generation tokens processed.'),
    };
    this.#success = new Counter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: [...labelNames, 'finished_reason'],
      registers,
    });
    for (const reason of ['stop', 'length', 'abort'])
      this.#success.inc({ ...labels, finished_reason: reason }, 0);
    const hist = (name: string, help: string, buckets: number[]): Histogram.Internal<string> => {
      const h = new Histogram({ name, help, labelNames, buckets, registers });
      h.zero(labels);
      return h.labels(labels);
    };
    const tokenBuckets = buckets125(info.maxModelLen);
    this.#h = {
      ttft: hist(
        'vllm:time_to_first_token_seconds',
        'Histogram of time to first token in seconds.',
        TTFT_BUCKETS_S,
      ),
      itl: hist(
        'vllm:inter_token_latency_seconds',
        'Histogram of inter-token latency in seconds.',
        ITL_BUCKETS_S,
      ),
      tpot: hist(
        'vllm:time_per_output_token_seconds',
        'Histogram of time per output token in seconds (deprecated; see inter_token_latency).',
        ITL_BUCKETS_S,
      ),
      reqTpot: hist(
        'vllm:request_time_per_output_token_seconds',
        'Histogram of time_per_output_token_seconds per request.',
        ITL_BUCKETS_S,
      ),
      e2e: hist(
        'vllm:e2e_request_latency_seconds',
        'Histogram of e2e request latency in seconds.',
        REQUEST_LATENCY_BUCKETS_S,
      ),
      queue: hist(
        'vllm:request_queue_time_seconds',
        'Histogram of time spent in WAITING phase for request.',
        REQUEST_LATENCY_BUCKETS_S,
      ),
      inference: hist(
        'vllm:request_inference_time_seconds',
        'Histogram of time spent in RUNNING phase for request.',
        REQUEST_LATENCY_BUCKETS_S,
      ),
      prefill: hist(
        'vllm:request_prefill_time_seconds',
        'Histogram of time spent in PREFILL phase for request.',
        REQUEST_LATENCY_BUCKETS_S,
      ),
      decode: hist(
        'vllm:request_decode_time_seconds',
        'Histogram of time spent in DECODE phase for request.',
        REQUEST_LATENCY_BUCKETS_S,
      ),
      promptTokens: hist(
        'vllm:request_prompt_tokens',
        'Number of prefill tokens processed.',
        tokenBuckets,
      ),
      genTokens: hist(
        'vllm:request_generation_tokens',
        'Number of generation tokens processed.',
        tokenBuckets,
      ),
      maxTokens: hist(
        'vllm:request_params_max_tokens',
        'Histogram of the max_tokens request parameter.',
        tokenBuckets,
      ),
      iteration: hist(
        'vllm:iteration_tokens_total',
        'Histogram of number of tokens per engine_step.',
        ITERATION_TOKEN_BUCKETS,
      ),
    };
  }

  /** Records one delivered engine step. */
  onStep(step: StepResult): void {
    const c = this.#counters;
    if (step.prefixQueryTokens > 0) c.queries.inc(step.prefixQueryTokens);
    if (step.prefixHitTokens > 0) c.hits.inc(step.prefixHitTokens);
    if (step.preemptions > 0) c.preempt.inc(step.preemptions);
    if (step.emitted.length > 0) c.gen.inc(step.emitted.length);
    this.#h.iteration.observe(step.scheduledTokens);
    const { itl, tpot } = this.#h;
    for (const req of step.emitted) {
      if (req.numOutputTokens === 1) {
        c.prompt.inc(req.spec.promptLength);
        this.#h.ttft.observe(req.firstTokenS - req.arrivalS);
      } else {
        const gapS = req.lastTokenS - req.prevTokenS;
        itl.observe(gapS);
        tpot.observe(gapS);
      }
    }
    for (const req of step.finished) this.onFinished(req);
  }

  /** Records a finished (or aborted) request. */
  onFinished(req: CoreRequest): void {
    const reason: FinishReason = req.finishReason ?? 'abort';
    this.#success.inc({ ...this.#labels, finished_reason: reason });
    if (reason === 'abort' || Number.isNaN(req.firstTokenS)) return;
    const h = this.#h;
    const decodeS = req.lastTokenS - req.firstTokenS;
    h.e2e.observe(req.finishedS - req.arrivalS);
    h.queue.observe(req.firstScheduledS - req.arrivalS);
    h.prefill.observe(req.firstTokenS - req.firstScheduledS);
    h.decode.observe(decodeS);
    h.inference.observe(req.lastTokenS - req.firstScheduledS);
    if (req.numOutputTokens > 1) h.reqTpot.observe(decodeS / (req.numOutputTokens - 1));
    h.promptTokens.observe(req.spec.promptLength);
    h.genTokens.observe(req.numOutputTokens);
    h.maxTokens.observe(req.spec.maxTokens);
  }
}
