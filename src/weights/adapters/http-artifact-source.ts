/**
 * An artifact behind plain HTTP(S). A URL to a file is a one-file artifact; a URL ending in `/`
 * is a model directory, which HTTP cannot list: its shards come from
 * `model.safetensors.index.json` (or a lone `model.safetensors`), its small files are found by
 * HEAD (404 = absent). Reads are `Range` requests with `If-Range: <etag>`: a server whose object
 * changed answers 200 with the whole new body, which is refused as WEIGHTS_SOURCE_CHANGED rather
 * than cut and stitched onto parts of the old version.
 */
import { AppError } from '../../shared/index.js';
import type { ArtifactFile, ArtifactListing, ArtifactRef, ByteRange } from '../artifact.js';
import type { ArtifactSource } from '../artifact-source.js';
import { contentRangeProblem, rangeHeader, sameEtag } from '../http-range.js';
import {
  ADAPTER_CONFIG_FILE_NAME,
  ADAPTER_WEIGHT_FILES,
  MODEL_SIDE_FILES,
  SAFETENSORS_INDEX_FILE,
  SINGLE_SAFETENSORS_FILE,
  shardsOfSafetensorsIndex,
} from '../model-files.js';
import { assertSafeRelativePath } from '../safe-path.js';
import { emptyBody, parseSourceJson, readBodyText } from './http-body.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import { sourceChanged, statusError } from './source-errors.js';

/** Largest `model.safetensors.index.json` read, bytes. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;

type HttpRef = Extract<ArtifactRef, { scheme: 'http' | 'https' }>;

/** {@link ArtifactSource} for `http(s)://` URIs, on a shared {@link HttpClient}. */
export class HttpArtifactSource implements ArtifactSource {
  readonly #ref: HttpRef;
  readonly #client: HttpClient;
  readonly #headers: Readonly<Record<string, string>>;

  /** `headers` go with every request (an Authorization header, say). */
  constructor(ref: HttpRef, client: HttpClient, headers: Readonly<Record<string, string>> = {}) {
    this.#ref = ref;
    this.#client = client;
    this.#headers = headers;
  }

  /** @inheritDoc */
  async list(signal: AbortSignal): Promise<ArtifactListing> {
    const { url } = this.#ref;
    if (!url.pathname.endsWith('/')) {
      const name = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
      const path = assertSafeRelativePath(name, url.href);
      const file = await this.#head(url, path, signal);
      if (file === undefined)
        throw new AppError('WEIGHTS_NOT_FOUND', `${url.href} answered 404`, { httpStatus: 404 });
      return { ref: this.#ref, files: [file] };
    }
    const weights = await this.#weightFiles(signal);
    const side = await Promise.all(
      MODEL_SIDE_FILES.map((name) => this.#head(this.#urlOf(name), name, signal)),
    );
    const files = [...weights, ...side.filter((f): f is ArtifactFile => f !== undefined)];
    return { ref: this.#ref, files: files.sort((a, b) => (a.path < b.path ? -1 : 1)) };
  }

  /** @inheritDoc */
  async readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const url = this.#isSingleFile() ? this.#ref.url : this.#urlOf(file.path);
    return readRangeOver(this.#client, url, file, range, signal, this.#headers);
  }

  #isSingleFile(): boolean {
    return !this.#ref.url.pathname.endsWith('/');
  }

  #urlOf(path: string): URL {
    const url = new URL(path.split('/').map(encodeURIComponent).join('/'), this.#ref.url);
    url.search = this.#ref.url.search;
    return url;
  }

  async #weightFiles(signal: AbortSignal): Promise<ArtifactFile[]> {
    const indexUrl = this.#urlOf(SAFETENSORS_INDEX_FILE);
    const res = await this.#client.request(indexUrl, {
      method: 'GET',
      headers: this.#headers,
      signal,
    });
    if (res.status === 404) {
      res.discard();
      const single = await this.#head(
        this.#urlOf(SINGLE_SAFETENSORS_FILE),
        SINGLE_SAFETENSORS_FILE,
        signal,
      );
      if (single === undefined) {
        const adapter = await this.#adapterFiles(signal);
        if (adapter !== undefined) return adapter;
        throw new AppError(
          'WEIGHTS_NOT_FOUND',
          `${this.#ref.url.href} has neither ${SAFETENSORS_INDEX_FILE} nor ${SINGLE_SAFETENSORS_FILE} (nor a LoRA adapter's ${ADAPTER_WEIGHT_FILES[0]})`,
          { httpStatus: 404 },
        );
      }
      return [single];
    }
    if (res.status !== 200) {
      res.discard();
      throw statusError(res.status, indexUrl.href);
    }
    const text = await readBodyText(res.body(), indexUrl.href, MAX_INDEX_BYTES);
    const shards = shardsOfSafetensorsIndex(parseSourceJson(text, indexUrl.href));
    const files = await Promise.all([
      this.#head(indexUrl, SAFETENSORS_INDEX_FILE, signal),
      ...shards.map((shard) => this.#head(this.#urlOf(shard), shard, signal)),
    ]);
    return files.map((file, i) => {
      if (file !== undefined) return file;
      throw new AppError(
        'WEIGHTS_NOT_FOUND',
        `${SAFETENSORS_INDEX_FILE} names ${shards[i - 1] ?? SAFETENSORS_INDEX_FILE}, which answered 404`,
        { httpStatus: 404 },
      );
    });
  }

  /**
   * A LoRA adapter directory (model-files.ts): its weights file and adapter_config.json, or
   * undefined when it has no adapter weights.
   */
  async #adapterFiles(signal: AbortSignal): Promise<ArtifactFile[] | undefined> {
    for (const name of ADAPTER_WEIGHT_FILES) {
      const weights = await this.#head(this.#urlOf(name), name, signal);
      if (weights === undefined) continue;
      const config = await this.#head(
        this.#urlOf(ADAPTER_CONFIG_FILE_NAME),
        ADAPTER_CONFIG_FILE_NAME,
        signal,
      );
      return config === undefined ? [weights] : [weights, config];
    }
    return undefined;
  }

  /** Size and ETag of one file by HEAD; undefined on 404. */
  async #head(url: URL, path: string, signal: AbortSignal): Promise<ArtifactFile | undefined> {
    const res = await this.#client.request(url, { method: 'HEAD', headers: this.#headers, signal });
    res.discard();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw statusError(res.status, url.href);
    return fileFromHead(res, path, url.href);
  }
}

/** An ArtifactFile from a HEAD answer's Content-Length and ETag. */
export function fileFromHead(res: HttpResponse, path: string, what: string): ArtifactFile {
  const size = Number(res.headers['content-length'] ?? 'NaN');
  if (!Number.isSafeInteger(size) || size < 0)
    throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: HEAD gave no Content-Length`, {
      httpStatus: 502,
    });
  const etag = res.headers.etag;
  return etag === undefined ? { path, size } : { path, size, etag };
}

/**
 * One ranged GET of `url` conditioned on `file.etag` with If-Range, checked: 206 with the asked
 * Content-Range (and the listed ETag when the server sends one), or 200 only when the whole file
 * was asked and the ETag still matches. Used by the http and hub sources.
 * @throws AppError WEIGHTS_SOURCE_CHANGED, or the status/transport codes of source-errors.ts.
 */
export async function readRangeOver(
  client: HttpClient,
  url: URL,
  file: ArtifactFile,
  range: ByteRange,
  signal: AbortSignal,
  headers: Readonly<Record<string, string>>,
  options: {
    /**
     * Default true: If-Range and ETag checks against `file.etag`. False where the URL itself pins
     * the version (the hub's resolve-by-commit URL, whose CDN has ETags of its own).
     */
    readonly isConditioned?: boolean;
    readonly onRedirect?: Parameters<HttpClient['request']>[1]['onRedirect'];
  } = {},
): Promise<AsyncIterable<Uint8Array>> {
  if (range.end <= range.start) return emptyBody();
  const listedEtag = options.isConditioned === false ? undefined : file.etag;
  const conditional: Record<string, string> =
    listedEtag !== undefined ? { 'if-range': listedEtag } : {};
  const res = await client.request(url, {
    method: 'GET',
    headers: { ...headers, range: rangeHeader(range), ...conditional },
    signal,
    ...(options.onRedirect === undefined ? {} : { onRedirect: options.onRedirect }),
  });
  const what = `${url.href} (${file.path})`;
  const etag = res.headers.etag;
  const changed = (why: string): AppError => {
    res.discard();
    return sourceChanged(what, why);
  };
  if (res.status === 206) {
    if (listedEtag !== undefined && etag !== undefined && !sameEtag(etag, listedEtag))
      throw changed(`ETag ${etag}, listed ${listedEtag}`);
    const problem = contentRangeProblem(res.headers['content-range'], range, file.size);
    if (problem !== undefined) throw changed(problem);
    return res.body();
  }
  if (res.status === 200) {
    const isWhole = range.start === 0 && range.end === file.size;
    const sameVersion = listedEtag === undefined || sameEtag(etag, listedEtag);
    if (isWhole && sameVersion && Number(res.headers['content-length']) === file.size)
      return res.body();
    // If-Range answered with the full body: the object is not the version listed.
    if (!sameVersion) throw changed(`a full 200 body with ETag ${etag ?? '(none)'}`);
    res.discard();
    throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: the server ignores Range requests`, {
      httpStatus: 502,
    });
  }
  res.discard();
  throw statusError(res.status, what);
}
