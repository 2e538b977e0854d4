import { InvalidError } from './errors';

/**
 * Validates a relative path (project file names now; data and object-store keys later): forward
 * slashes only, no absolute paths, no `.` or `..` segments, no empty segments, no control
 * characters, bounded length. Returns the path unchanged when it is acceptable.
 */
export function relativePath(value: string, field: string, maxLength = 512): string {
  const problem = pathProblem(value, maxLength);
  if (problem) throw new InvalidError(`${field}: ${problem}`);
  return value;
}

export function pathProblem(value: string, maxLength = 512): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters';
  if (value.includes('\\')) return 'must use forward slashes';
  if (value.startsWith('/')) return 'must be a relative path';
  const segments = value.split('/');
  if (segments.some((s) => s === '')) return 'must not contain empty path segments';
  if (segments.some((s) => s === '.' || s === '..')) return "must not contain '.' or '..' segments";
  if (segments.some((s) => s.trim() !== s)) return 'path segments must not start or end with spaces';
  return undefined;
}
