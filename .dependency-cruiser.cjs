// The import rules of design §12, checked by `npm run lint` (depcruise): a wrong import fails CI.
// Imports flow one way: lambdas|runner|local|cli -> core/domain -> core/ports <- core/aws,
// core/domain -> core/data -> core/shared; lib reads only the route table, settings and names.
const programs = '^(lambdas|runner|local|cli)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other cannot be understood, tested or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-knows-no-program',
      comment: 'core/ is shared by four programs; it must not depend on any of them.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(lambdas|runner|local|cli|lib|bin|scripts|bench|test)/' },
    },
    {
      name: 'core-knows-no-http',
      comment: 'Nothing in core/ knows about HTTP or Lambda events: transport lives in lambdas/api.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: 'node_modules/(@middy|busboy|qs|@types/aws-lambda)/' },
    },
    {
      name: 'shared-stands-alone',
      severity: 'error',
      from: { path: '^core/shared/' },
      to: { path: '^core/(ports|domain|data|aws)/' },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'Ports are what the domain owns; they name no implementation.',
      severity: 'error',
      from: { path: '^core/ports/' },
      to: { path: '^core/(domain|data|aws)/' },
    },
    {
      name: 'data-below-domain',
      comment: 'The data layer sees the domain only through its entity types (core/domain/<capability>/types.ts).',
      severity: 'error',
      from: { path: '^core/data/' },
      to: { path: '^core/domain/', pathNot: '^core/domain/[^/]+/types\\.ts$' },
    },
    {
      name: 'data-no-adapters',
      severity: 'error',
      from: { path: '^core/data/' },
      to: { path: '^core/aws/' },
    },
    {
      name: 'domain-uses-ports-not-adapters',
      comment: 'Adapters are injected through ports, never imported by the domain.',
      severity: 'error',
      from: { path: '^core/domain/' },
      to: { path: '^core/aws/' },
    },
    {
      name: 'domain-no-aws-client',
      comment: 'The domain reaches AWS through repositories (core/data) and ports, never with an SDK client of its own.',
      severity: 'error',
      from: { path: '^core/domain/' },
      to: { path: 'node_modules/@aws-sdk/' },
    },
    {
      name: 'adapters-behind-ports',
      comment: 'core/aws implements ports; it does not call into the domain or the repositories.',
      severity: 'error',
      from: { path: '^core/aws/' },
      to: { path: '^core/(domain|data)/' },
    },
    {
      name: 'table-through-repositories',
      comment: 'Programs read and write the table only through core/data (local mode creates it).',
      severity: 'error',
      from: { path: programs, pathNot: '^local/embedded-storage\\.ts$' },
      to: { path: 'node_modules/@aws-sdk/(lib-dynamodb|client-dynamodb)/' },
    },
    {
      name: 'lambdas-are-entry-points',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(runner|local|cli|lib|bin|scripts)/' },
    },
    {
      name: 'runner-image-has-no-lambdas',
      comment: 'The runner image copies runner/ and core/ only (runner/Dockerfile).',
      severity: 'error',
      from: { path: '^runner/' },
      to: { path: '^(lambdas|local|cli|lib|bin|scripts)/' },
    },
    {
      name: 'lib-reads-names-only',
      comment: 'Infrastructure reads the route table, settings and names; never a service, repository or adapter.',
      severity: 'error',
      from: { path: '^(lib/|bin/app\\.ts$)' },
      to: {
        path: '^(core|lambdas|runner|local|cli)/',
        pathNot: ['^lambdas/api/route', '^core/shared/(catalog|table-schema|deployment-names|console-headers)\\.ts$'],
      },
    },
    {
      name: 'console-is-a-browser-program',
      comment: 'The web console runs in the browser and reaches the server only through the public API: it imports no server code.',
      severity: 'error',
      from: { path: '^console/' },
      // One exception: a wire fact both sides need, kept in a file that imports nothing (the rule below).
      to: { path: '^(core|lambdas|runner|local|cli|lib|bin|scripts|bench|test)/', pathNot: '^core/shared/optimization-statistics\\.ts$' },
    },
    {
      name: 'console-shared-files-import-nothing',
      comment: 'A server file the console imports must not bring any other server code into the browser bundle.',
      severity: 'error',
      from: { path: '^core/shared/optimization-statistics\\.ts$' },
      to: {},
    },
    {
      name: 'nothing-imports-the-console',
      comment: 'The console is served as built files; no server program imports its source.',
      severity: 'error',
      from: { pathNot: '^console/' },
      to: { path: '^console/' },
    },
    {
      name: 'no-test-code-in-programs',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|\\.lcs-data|coverage|test/\\.tmp|bench/\\.out|console/dist)/' },
    tsPreCompilationDeps: true,
    // Absolute, so the rules can also be run from another folder (the rule test's fixture tree).
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'] },
  },
};
