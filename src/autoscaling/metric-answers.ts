/**
 * Reading one number out of what a remote metric source answers. Pure: the adapters fetch, these
 * parse, and a body without the value is an AppError `AUTOSCALING_METRIC_SOURCE_FAILED` that
 * says what was wrong (never a silent zero, which would scale down).
 */
import { parsePrometheusText } from '../engine/index.js';
import { AppError } from '../shared/index.js';

const failed = (message: string): AppError =>
  new AppError('AUTOSCALING_METRIC_SOURCE_FAILED', message);

/**
 * The value of a Prometheus HTTP API instant query answer (`/api/v1/query`): a scalar, or a
 * vector of exactly one sample (an aggregation such as `avg(...)`). A vector of several series
 * is averaged (a query without aggregation over per-pod series); an empty vector is a failure
 * (no series matched: nothing to decide on).
 */
export function prometheusQueryValue(body: unknown): number {
  const b = body as {
    status?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (typeof body !== 'object' || body === null) throw failed('the answer is not a JSON object');
  if (b.status !== 'success')
    throw failed(
      `Prometheus answered ${JSON.stringify(b.status)}: ${JSON.stringify(b.error ?? 'no error text')}`,
    );
  const { resultType, result } = b.data ?? {};
  const num = (v: unknown): number => {
    const n = Array.isArray(v) ? Number(v[1]) : NaN;
    if (!Number.isFinite(n)) throw failed(`the sample value ${JSON.stringify(v)} is not a number`);
    return n;
  };
  if (resultType === 'scalar') return num(result);
  if (resultType !== 'vector' || !Array.isArray(result))
    throw failed(`the query answered a ${String(resultType)}, not a scalar or an instant vector`);
  if (result.length === 0) throw failed('the query matched no series');
  const values = result.map((s: { value?: unknown }) => num(s.value));
  return values.reduce((a, v) => a + v, 0) / values.length;
}

/**
 * `metric`'s value in Prometheus text: the one sample of that name, or the average of several
 * (labelled series of one engine).
 */
export function prometheusTextValue(text: string, metric: string): number {
  const values = parsePrometheusText(text)
    .samples.filter((s) => s.name === metric && Number.isFinite(s.value))
    .map((s) => s.value);
  if (values.length === 0) throw failed(`no sample named ${metric}`);
  return values.reduce((a, v) => a + v, 0) / values.length;
}

/**
 * What an `external` endpoint answers: a JSON number, a JSON object with the metric's name or
 * `value` as a number, or Prometheus text with a sample of that name.
 */
export function externalValue(body: string, contentType: string, metric: string): number {
  const trimmed = body.trim();
  if (contentType.includes('json') || trimmed.startsWith('{') || /^-?[0-9.]+$/.test(trimmed)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw failed('the answer is not JSON');
    }
    const v =
      typeof parsed === 'number'
        ? parsed
        : parsed !== null && typeof parsed === 'object'
          ? ((parsed as Record<string, unknown>)[metric] ?? (parsed as { value?: unknown }).value)
          : undefined;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n))
      throw failed(`the JSON answer has no number ${metric} or value`);
    return n;
  }
  return prometheusTextValue(body, metric);
}
