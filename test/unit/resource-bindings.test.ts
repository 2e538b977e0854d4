import { config, resetConfig } from '../../core/shared/config';

/**
 * Resource names have no defaults: a function runs with the variables of the resources it is
 * granted, and one that lacks a variable its route declares fails its cold start, naming it.
 */
const RESOURCES = ['TABLE_NAME', 'ARTIFACTS_BUCKET_NAME', 'DATA_BUCKET_NAME', 'OBJECTS_BUCKET_NAME'] as const;
const saved = { ...process.env };

function environment(values: Partial<Record<(typeof RESOURCES)[number] | 'JOBS_QUEUE_URL', string>>): void {
  process.env = { ...saved };
  for (const name of [...RESOURCES, 'JOBS_QUEUE_URL']) delete process.env[name];
  Object.assign(process.env, values);
  resetConfig();
}

/** Loads a module afresh, as a cold start does, and tells whether its init threw. */
function coldStart(path: string): () => unknown {
  return () => jest.isolateModules(() => require(path));
}

afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

test.each(RESOURCES)('%s has no default: reading it unset throws, naming it', (name) => {
  environment({});
  expect(() => config()[name]).toThrow(new RegExp(`Missing resource binding: ${name} is not set`));
});

test('set names are read as given, and settings that name no resource need none', () => {
  environment({ TABLE_NAME: 'lcs-prod', DATA_BUCKET_NAME: 'lcs-prod-data' });
  expect(config().TABLE_NAME).toBe('lcs-prod');
  expect(config().DATA_BUCKET_NAME).toBe('lcs-prod-data');
  expect(config().LCS_LINK_SECONDS).toBe(300);
  expect(() => config().OBJECTS_BUCKET_NAME).toThrow(/OBJECTS_BUCKET_NAME/);
});

test('an empty name is refused like any malformed variable', () => {
  environment({ TABLE_NAME: '' });
  expect(() => config()).toThrow(/Invalid configuration: TABLE_NAME/);
});

describe('cold start of an API function', () => {
  // files/read declares the table and the artifacts bucket; compile/create also the job queue.
  const filesRead = '../../lambdas/api/files/read-files.handler';
  const compileCreate = '../../lambdas/api/backtests/create-compile.handler';

  test('fails when a resource its route declares is not bound, naming every missing variable', () => {
    environment({});
    expect(coldStart(filesRead)).toThrow('Missing resource binding: TABLE_NAME, ARTIFACTS_BUCKET_NAME are not set.');
    environment({ TABLE_NAME: 'lcs-test' });
    expect(coldStart(filesRead)).toThrow('Missing resource binding: ARTIFACTS_BUCKET_NAME is not set.');
    environment({ TABLE_NAME: 'lcs-test', ARTIFACTS_BUCKET_NAME: 'lcs-test-artifacts' });
    expect(coldStart(compileCreate)).toThrow('Missing resource binding: JOBS_QUEUE_URL is not set.');
  });

  test('starts with exactly the variables its route declares', () => {
    environment({ TABLE_NAME: 'lcs-test', ARTIFACTS_BUCKET_NAME: 'lcs-test-artifacts' });
    expect(coldStart(filesRead)).not.toThrow();
    environment({ TABLE_NAME: 'lcs-test', ARTIFACTS_BUCKET_NAME: 'lcs-test-artifacts', JOBS_QUEUE_URL: 'https://sqs.test/jobs' });
    expect(coldStart(compileCreate)).not.toThrow();
  });

  test('the authorizer needs the table', () => {
    environment({});
    expect(coldStart('../../lambdas/auth/authorizer.handler')).toThrow('Missing resource binding: TABLE_NAME is not set.');
    environment({ TABLE_NAME: 'lcs-test' });
    expect(coldStart('../../lambdas/auth/authorizer.handler')).not.toThrow();
  });
});
