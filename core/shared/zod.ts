import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * The zod of every program that ships as a bundle (Lambdas, the runner): zod/mini, whose
 * functions tree-shake, where classic zod puts every method on every schema (~100 KB in each
 * Lambda bundle). One module anywhere in a bundle importing classic 'zod' brings all of it back,
 * so code under core/, lambdas/ and runner/ imports from here (biome refuses 'zod' there):
 * `import * as z from '…/core/shared/zod'`. A star re-export keeps tree-shaking; re-exporting a
 * namespace object would bundle all of zod/mini, every locale included (~400 KB). For the same
 * reason a module loaded through import() imports names (see core/aws/ecs-task-runner.ts): esbuild
 * builds the real namespace object for what such a module star-imports.
 *
 * Mini registers no messages ("Invalid input" for everything); classic registers English, which
 * is what clients and tests read. Registering it here keeps every message as it was.
 */
config(en());

export * from 'zod/mini';
