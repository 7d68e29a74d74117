/**
 * A model on a Hugging Face hub (`hf://org/model[@revision]`), over the hub's HTTP API with an
 * optional token. The revision is resolved once to its commit sha
 * (`GET /api/models/{repo}/revision/{rev}?blobs=true`), and every file is read by that sha
 * (`/{repo}/resolve/{sha}/{file}`), so a branch moving mid-pull cannot mix two commits. LFS files
 * answer 302 to a CDN host: followed through the same host policy, without the token; the hub's
 * `X-Linked-Etag` on the redirect is checked against the listing. The CDN's own ETag differs from
 * the hub's, so the final answer is not If-Range-conditioned: the commit pins the bytes, and the
 * listed sha256 lets the streamer verify them.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../shared/index.js';
import type { ArtifactFile, ArtifactListing, ArtifactRef, ByteRange } from '../artifact.js';
import type { ArtifactSource } from '../artifact-source.js';
import { sameEtag } from '../http-range.js';
import { parseHubRevision } from '../hub-revision.js';
import { parseSourceJson, readBodyText } from './http-body.js';
import type { HttpClient } from './http-client.js';
import { readRangeOver } from './http-artifact-source.js';
import { sourceChanged, statusError } from './source-errors.js';

/** Hub endpoint and token. */
export interface HfSourceSettings {
  /** Base URL of the hub. Default `https://huggingface.co` (HF_ENDPOINT). */
  readonly endpoint?: string;
  /** Access token sent as `Authorization: Bearer` to the hub only (HF_TOKEN). */
  readonly token?: string;
}

/** Largest revision answer read, bytes (a repo with 10 000 files is ~2 MB). */
const MAX_REVISION_BYTES = 16 * 1024 * 1024;

type HfRef = Extract<ArtifactRef, { scheme: 'hf' }>;

/** {@link ArtifactSource} for `hf://` URIs; see the file comment. */
export class HfArtifactSource implements ArtifactSource {
  readonly #ref: HfRef;
  readonly #client: HttpClient;
  readonly #endpoint: URL;
  readonly #headers: Readonly<Record<string, string>>;
  #sha: string | undefined;

  constructor(ref: HfRef, client: HttpClient, settings: HfSourceSettings = {}) {
    this.#ref = ref;
    this.#client = client;
    this.#endpoint = new URL(settings.endpoint ?? 'https://huggingface.co');
    this.#headers =
      settings.token === undefined ? {} : { authorization: `Bearer ${settings.token}` };
    // A revision that is already a commit needs no resolving before a read.
    if (/^[0-9a-f]{40}$/.test(ref.revision)) this.#sha = ref.revision;
  }

  /** @inheritDoc */
  async list(signal: AbortSignal): Promise<ArtifactListing> {
    const url = this.#hubUrl(
      `api/models/${this.#ref.repo}/revision/${encodeURIComponent(this.#ref.revision)}`,
    );
    url.search = '?blobs=true';
    const res = await this.#client.request(url, { method: 'GET', headers: this.#headers, signal });
    if (res.status !== 200) {
      res.discard();
      // The hub answers 401 (not 404) for a private or missing repo without a valid token.
      throw statusError(res.status, `${this.#ref.uri} (${url.href})`);
    }
    const text = await readBodyText(res.body(), url.href, MAX_REVISION_BYTES);
    const revision = parseHubRevision(parseSourceJson(text, url.href), this.#ref.uri);
    this.#sha = revision.sha;
    return { ref: this.#ref, files: revision.files, revision: revision.sha };
  }

  /** @inheritDoc */
  async readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const sha = this.#sha ?? (await this.list(signal)).revision;
    if (sha === undefined)
      throw new AppError('WEIGHTS_SOURCE_FAILED', `${this.#ref.uri}: no commit resolved`);
    const path = file.path.split('/').map(encodeURIComponent).join('/');
    const url = this.#hubUrl(`${this.#ref.repo}/resolve/${sha}/${path}`);
    const onRedirect = (res: IncomingMessage): void => {
      const linked = res.headers['x-linked-etag'] ?? res.headers.etag;
      const tag = Array.isArray(linked) ? linked[0] : linked;
      if (file.etag !== undefined && tag !== undefined && !sameEtag(tag, file.etag)) {
        throw sourceChanged(
          `${this.#ref.uri} ${file.path}`,
          `hub ETag ${tag}, listed ${file.etag}`,
        );
      }
    };
    return readRangeOver(this.#client, url, file, range, signal, this.#headers, {
      isConditioned: false,
      onRedirect,
    });
  }

  #hubUrl(path: string): URL {
    const base = this.#endpoint.href.endsWith('/')
      ? this.#endpoint.href
      : `${this.#endpoint.href}/`;
    return new URL(path, base);
  }
}
