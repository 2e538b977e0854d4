import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Resolve hook registered by node-path.mjs (runs on the loader thread). */
const folders = (process.env.NODE_PATH ?? '').split(':').filter((dir) => dir.endsWith('node_modules'));

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const bare = !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
    if (!bare || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    for (const folder of folders) {
      // A parent file next to `folder` makes Node look in `folder` first (then further up: nothing).
      const parentURL = pathToFileURL(join(dirname(folder), 'node-path-parent.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder
      }
    }
    throw err;
  }
}
