import { MAX_FILE_NAME_BYTES } from '../../data/files/file-repository';
import { config } from '../../shared/config';
import { InvalidError, LimitExceededError } from '../../shared/errors';
import { relativePath } from '../../shared/paths';
import { answerBytes, PROJECT_FILES_ANSWER_BYTES } from '../../shared/payload-limits';

/** Name and content rules shared by every way a file is written (files/*, projects/update, files/patch). */
export function checkFileName(name: string, field: string): string {
  relativePath(name, field);
  // The name is part of the file's key, which has a byte limit: 512 'é' are 1024 bytes.
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) throw new InvalidError(`${field}: must be at most ${MAX_FILE_NAME_BYTES} bytes in UTF-8`);
  return name;
}

export function checkFileContent(name: string, content: string, options: { allowEmpty?: boolean } = {}): void {
  if (!options.allowEmpty && content.length === 0) throw new InvalidError(`content: the content of '${name}' must not be empty`);
  const max = config().LCS_FILE_MAX_BYTES;
  const size = Buffer.byteLength(content, 'utf8');
  if (size > max) throw new LimitExceededError(`content: '${name}' is ${size} bytes, larger than the ${max}-byte file limit (docs/api.md, Limits)`);
}

/**
 * What a file takes in a `files/read` answer besides its content's answer bytes: its name, and the
 * view's other fields (id, projectId, modified, open, isLibrary and the keys), escaped twice as
 * the answer is. The view's fields come to at most 148 bytes; the rest is margin.
 */
const FILE_VIEW_BYTES = 256;

export function fileAnswerBytes(name: string, contentAnswerBytes: number): number {
  return contentAnswerBytes + answerBytes(name) + FILE_VIEW_BYTES;
}

/**
 * Refuses a project whose files (name → the answer bytes of the content) would not fit one
 * `files/read` answer: the answer of a whole project must stay within Lambda's payload limit.
 */
export function checkProjectSize(files: ReadonlyMap<string, number>): void {
  let total = 0;
  for (const [name, bytes] of files) total += fileAnswerBytes(name, bytes);
  if (total <= PROJECT_FILES_ANSWER_BYTES) return;
  throw new LimitExceededError(
    `files: the project's files would take ${total} bytes in a files/read answer, over the ${PROJECT_FILES_ANSWER_BYTES}-byte project limit (docs/api.md, Limits); remove or shrink files first`,
  );
}
