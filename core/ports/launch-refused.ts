/**
 * A launcher's refusal that retrying cannot fix (no LEAN engine configured locally, an unknown
 * SKU): the job fails at once with this message instead of going round the queue.
 */
export class LaunchRefused extends Error {
  override name = 'LaunchRefused';
}
