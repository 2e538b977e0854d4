'use strict';
// qs (the form parser, lambdas/api/transport.ts) keeps per-object notes in `side-channel`, a
// package that picks WeakMap, Map or a list depending on the engine and brings object-inspect and
// get-intrinsic along: about 28 KB of every API bundle. On Node 22 WeakMap and Map always exist,
// so the bundler swaps in this file (lib/constructs/bundling.ts, `alias`); same methods and
// meaning, object keys held weakly as side-channel does. Tests and the local server use the real
// package, and test/integration/lambda-bundles.test.ts parses a form inside the bundled code.
module.exports = function getSideChannel() {
  const objects = new WeakMap();
  const primitives = new Map();
  const store = (key) => ((typeof key === 'object' && key !== null) || typeof key === 'function' ? objects : primitives);
  return {
    assert(key) {
      if (!store(key).has(key)) throw new TypeError('Side channel does not contain the given key');
    },
    delete: (key) => store(key).delete(key),
    get: (key) => store(key).get(key),
    has: (key) => store(key).has(key),
    set(key, value) {
      store(key).set(key, value);
    },
  };
};
