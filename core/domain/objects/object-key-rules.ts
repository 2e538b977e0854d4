import { pathProblem } from '../../shared/paths';

/**
 * Object store keys (contract §3.10) are organisation-relative paths. Clients root them at "/"
 * (lean-cli lists path "/" by default, and QuantConnect's own listing and LEAN's test fixtures use
 * `Mia/Test`-style keys), so the API strips ONE leading "/": "/a/b" and "a/b" are the same object,
 * both inside the caller's organisation. Anything else path-like is refused: "//x", "..", ".",
 * empty segments, backslashes, control characters, lone surrogates, and keys over 1,024 bytes of
 * UTF-8. The runner applies the same rule to what LEAN leaves in its object store folder.
 */
export const OBJECT_KEY_MAX_BYTES = 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The folder a listing path names: "/" (or nothing) is the root; "/a/b/", "/a/b", "a/b/" and "a/b" are one folder. */
export function listedFolder(path: string): string {
  const inner = path.startsWith('/') ? path.slice(1) : path;
  return inner.endsWith('/') ? inner.slice(0, -1) : inner;
}

export function objectKeyProblem(key: string): string | undefined {
  if (LONE_SURROGATE.test(key)) return 'must be valid Unicode text';
  if (Buffer.byteLength(key, 'utf8') > OBJECT_KEY_MAX_BYTES) return `must be at most ${OBJECT_KEY_MAX_BYTES} bytes of UTF-8`;
  return pathProblem(key, OBJECT_KEY_MAX_BYTES);
}
