/**
 * The Hugging Face hub's answer to `GET /api/models/{repo}/revision/{revision}?blobs=true`, read
 * into a listing. The shape (huggingface_hub `ModelInfo`): `{ id, sha, siblings: [{ rfilename,
 * size, blobId, lfs?: { sha256, size, pointerSize } }] }`. Pure.
 *
 * Files a pull does not need are left out: `.gitattributes`, and when the repo has safetensors,
 * the same weights in other formats (pytorch `.bin`, `.pt`, `.h5`, `.msgpack`, `.onnx`, `.gguf`…),
 * which would otherwise double or triple the bytes fetched.
 */
import { AppError } from '../shared/index.js';
import type { ArtifactFile } from './artifact.js';
import { assertSafeRelativePath } from './safe-path.js';

/** A hub revision resolved to its commit and files. */
export interface HubRevision {
  /** The 40-hex commit sha the revision points at; files are fetched by it, never by branch. */
  readonly sha: string;
  readonly files: readonly ArtifactFile[];
}

/** Most files one hub repo may list. */
export const MAX_HUB_FILES = 10_000;

const OTHER_WEIGHT_FORMATS =
  /\.(bin|pt|pth|ckpt|h5|msgpack|onnx|onnx_data|ot|tflite|gguf|mlmodel)$/i;

function malformed(why: string): AppError {
  return new AppError('WEIGHTS_SOURCE_FAILED', `hub revision answer is malformed: ${why}`);
}

/**
 * Reads the hub's revision JSON. Each file's etag is what the hub sends as `X-Linked-Etag`
 * (LFS: the quoted sha256) or `ETag` (git blob id), so a read can be checked against it.
 * @throws AppError WEIGHTS_SOURCE_FAILED on a malformed answer; WEIGHTS_PATH_ESCAPE on an unsafe
 * file name; WEIGHTS_NOT_FOUND when the revision has no files.
 */
export function parseHubRevision(body: unknown, what: string): HubRevision {
  if (typeof body !== 'object' || body === null) throw malformed('not an object');
  const { sha, siblings } = body as Record<string, unknown>;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) throw malformed('no 40-hex sha');
  if (!Array.isArray(siblings)) throw malformed('no siblings array');
  if (siblings.length > MAX_HUB_FILES) throw malformed(`more than ${MAX_HUB_FILES} files`);
  const all = siblings.map((s: unknown) => parseSibling(s, what));
  const hasSafetensors = all.some((f) => f.path.endsWith('.safetensors'));
  const files = all
    .filter((f) => f.path !== '.gitattributes' && !f.path.endsWith('/.gitattributes'))
    .filter((f) => !hasSafetensors || !OTHER_WEIGHT_FORMATS.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (files.length === 0)
    throw new AppError('WEIGHTS_NOT_FOUND', `${what} has no files`, { httpStatus: 404 });
  return { sha, files };
}

function parseSibling(sibling: unknown, what: string): ArtifactFile {
  if (typeof sibling !== 'object' || sibling === null)
    throw malformed('a sibling is not an object');
  const { rfilename, size, blobId, lfs } = sibling as Record<string, unknown>;
  if (typeof rfilename !== 'string') throw malformed('a sibling has no rfilename');
  const path = assertSafeRelativePath(rfilename, what);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw malformed(`${path} has no size (was ?blobs=true sent?)`);
  if (typeof lfs === 'object' && lfs !== null) {
    const sha256 = (lfs as Record<string, unknown>).sha256;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
      throw malformed(`${path} has an lfs entry without a sha256`);
    return { path, size, etag: `"${sha256}"`, sha256 };
  }
  if (typeof blobId !== 'string' || !/^[0-9a-f]{40}$/.test(blobId))
    throw malformed(`${path} has no blobId`);
  return { path, size, etag: `"${blobId}"` };
}
