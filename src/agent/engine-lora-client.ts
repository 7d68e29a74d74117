/**
 * The engine calls of the adapter manager: a JSON POST to the engine's runtime LoRA endpoint and
 * its /v1/models, each with a timeout and the command's signal, over HTTP or HTTPS with the
 * engine's TLS settings. Any failure to get an answer (refused, reset, timeout) is
 * LORA_ENGINE_UNAVAILABLE: the leader retries such an engine later. The answer's meaning is
 * decided by the pure mapping in src/lora/engine-answers.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { EngineClientOptions } from '../discovery/index.js';
import { AppError, linkedSignal, toError } from '../shared/index.js';
import { fetchModels, type ServedModels } from './engine-scraper.js';

/** How to reach one engine for one call. */
export interface LoraEngineCall {
  readonly client: EngineClientOptions;
  /** `Bearer …` to send instead of the engine's own key (ModelAdapter `api-key`). */
  readonly authorization: string | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Largest answer body read, bytes (engines answer a line of text or a small JSON error). */
const MAX_ANSWER_BYTES = 64 * 1024;

function unavailable(what: string, err: unknown, timedOut: boolean, timeoutMs: number): AppError {
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : toError(err).message;
  return new AppError('LORA_ENGINE_UNAVAILABLE', `${what}: ${reason}`, { cause: err });
}

/** POSTs `body` as JSON; resolves with the status and (bounded) text of any answer. */
export function postJson(
  url: string,
  body: unknown,
  call: LoraEngineCall,
): Promise<{ readonly status: number; readonly body: string }> {
  const link = linkedSignal([call.signal], call.timeoutMs);
  const payload = Buffer.from(JSON.stringify(body));
  const authorization = call.authorization ?? call.client.authorization;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const isHttps = url.startsWith('https:');
    const options = {
      method: 'POST',
      signal: link.signal,
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        ...(authorization === undefined ? {} : { authorization }),
      },
      ...(isHttps ? call.client.tls : {}),
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        // Keep the head of an oversized answer: the message is at its start.
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8'),
        }),
      );
      res.on('error', (err) => reject(unavailable(url, err, link.timedOut, call.timeoutMs)));
    };
    const req = isHttps
      ? https.request(url, options, onResponse)
      : http.request(url, options, onResponse);
    req.on('error', (err) => reject(unavailable(url, err, link.timedOut, call.timeoutMs)));
    req.end(payload);
  }).finally(link.dispose);
}

/** The engine's /v1/models, or LORA_ENGINE_UNAVAILABLE when it cannot be read. */
export async function servedModels(baseUrl: string, call: LoraEngineCall): Promise<ServedModels> {
  const client =
    call.authorization === undefined
      ? call.client
      : { ...call.client, authorization: call.authorization };
  try {
    return await fetchModels(baseUrl, { client, timeoutMs: call.timeoutMs, signal: call.signal });
  } catch (err) {
    if (call.signal.aborted) throw toError(call.signal.reason);
    throw new AppError('LORA_ENGINE_UNAVAILABLE', `${baseUrl}/v1/models: ${toError(err).message}`, {
      cause: err,
    });
  }
}
