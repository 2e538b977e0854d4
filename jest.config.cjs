// Three projects: fast unit tests, integration tests over HTTP against the real local
// server and emulators, and contract tests generated from the route table.
// middy and fauxqs ship ESM only, so they are transformed to CommonJS like our own code.
const esmPackages = ['@middy', 'fauxqs'];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  // Their package.json exports only an "import" condition, which jest's CommonJS resolver skips.
  moduleNameMapper: {
    '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js',
    '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // cdk.out holds staged assets (the runner image context includes package.json).
  modulePathIgnorePatterns: ['<rootDir>/cdk.out/'],
};
module.exports = {
  // Two test files at a time even on two cores: the integration and contract files spend most of
  // their time waiting on the server, its emulators and job processes, not on their own CPU
  // (jest's default on two cores is one file at a time). --maxWorkers=1 on the command line undoes it.
  maxWorkers: 2,
  // A global option (jest ignores it inside a project): integration, browser and contract files
  // go over HTTP to a server two files share, and 5 s is too tight on a busy two-core machine.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // CDK assertions and cdk-nag on the synthesised stacks (no AWS account needed).
    { ...shared, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // The web console (console/) in Debian's chromium, driven by playwright-core, against the same server.
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'contract',
      testMatch: ['<rootDir>/test/contract/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
