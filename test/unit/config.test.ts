import { config, resetConfig } from '../../core/shared/config';

/** Configuration is read once, validated, and re-read after resetConfig(). */
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

test('defaults: the QuantConnect hash window of contract §1.2 and Basic off', () => {
  for (const name of ['LCS_BASIC_AUTH', 'LCS_HASH_MAX_AGE_SECONDS', 'LCS_HASH_MAX_AHEAD_SECONDS']) delete process.env[name];
  resetConfig();
  expect(config().LCS_HASH_MAX_AGE_SECONDS).toBe(7200);
  expect(config().LCS_HASH_MAX_AHEAD_SECONDS).toBe(300);
  expect(config().LCS_BASIC_AUTH).toBe(false);
});

test('flags accept true/1 and false/0/empty', () => {
  for (const [value, expected] of [
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
  ] as const) {
    process.env.LCS_BASIC_AUTH = value;
    resetConfig();
    expect(config().LCS_BASIC_AUTH).toBe(expected);
  }
});

test('the value is cached until resetConfig()', () => {
  process.env.LCS_HASH_MAX_AGE_SECONDS = '100';
  resetConfig();
  expect(config().LCS_HASH_MAX_AGE_SECONDS).toBe(100);
  process.env.LCS_HASH_MAX_AGE_SECONDS = '200';
  expect(config().LCS_HASH_MAX_AGE_SECONDS).toBe(100);
  resetConfig();
  expect(config().LCS_HASH_MAX_AGE_SECONDS).toBe(200);
});

test('a malformed variable fails with its name', () => {
  process.env.LCS_BASIC_AUTH = 'yes';
  resetConfig();
  expect(() => config()).toThrow(/Invalid configuration: LCS_BASIC_AUTH/);
});
