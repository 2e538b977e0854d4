import { config } from '../shared/config';
import { InvalidError, LimitExceededError } from '../shared/errors';

/** Content rules shared by every way a file is written (files/*, projects/update, files/patch). */
export function checkFileContent(name: string, content: string, options: { allowEmpty?: boolean } = {}): void {
  if (!options.allowEmpty && content.length === 0) throw new InvalidError(`content: the content of '${name}' must not be empty`);
  const max = config().LCS_FILE_MAX_BYTES;
  if (Buffer.byteLength(content, 'utf8') > max) throw new LimitExceededError(`content: '${name}' is larger than the ${max}-byte file limit`);
}
