import { register } from 'node:module';

/**
 * `node --import ./node-path.mjs`: bare ES module imports that Node cannot resolve from the
 * importing file fall back to the NODE_PATH folders, in order, as the Lambda Node.js runtime
 * resolves them (/opt/nodejs/node_modules of the layers first, then /var/runtime/node_modules).
 * Plain Node ignores NODE_PATH for ES modules; CommonJS `require` already honours it.
 */
register('./node-path-resolve.mjs', import.meta.url);
