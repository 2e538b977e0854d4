import { MAX_FILE_NAME_BYTES } from '../../data/files/file-repository';
import { config } from '../../shared/config';
import { InvalidError, LimitExceededError } from '../../shared/errors';
import { relativePath } from '../../shared/paths';

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
  if (Buffer.byteLength(content, 'utf8') > max) throw new LimitExceededError(`content: '${name}' is larger than the ${max}-byte file limit`);
}
