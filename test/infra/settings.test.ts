import { App } from 'aws-cdk-lib';
import { settingsFromContext } from '../../lib/app';
import { retentionDays } from '../../lib/naming';

/** Settings for `cdk synth`: the config file, overridden by `-c key=value` (dotted keys for nested values). */
describe('settingsFromContext', () => {
  const app = (context: Record<string, unknown>) => new App({ context: { config: 'test/.tmp/no-such-config.json', ...context } });

  test('defaults without a config file', () => {
    const settings = settingsFromContext(app({}));
    expect(settings).toMatchObject({ stage: 'prod', environment: 'prod', rateLimit: { ratePerSecond: 50, burst: 100, dailyQuota: 0 }, logLevel: 'INFO' });
  });

  test('CLI context values are strings: they are parsed, and dotted keys set one nested value', () => {
    const settings = settingsFromContext(app({ stage: 'ci', environment: 'dev', logRetentionDays: '7', 'rateLimit.burst': '7', 'auth.basicAuth': 'true' }));
    expect(settings).toMatchObject({ stage: 'ci', environment: 'dev', logRetentionDays: 7, auth: { basicAuth: true, hashMaxAgeSeconds: 7200 } });
    expect(settings.rateLimit).toEqual({ ratePerSecond: 50, burst: 7, dailyQuota: 0, dataRead: { ratePerSecond: 250, burst: 500 } });
  });

  test('invalid values fail with the setting named', () => {
    expect(() => settingsFromContext(app({ environment: 'staging' }))).toThrow(/environment/);
  });

  test('log retention must be a CloudWatch Logs period', () => {
    expect(retentionDays(30)).toBe(30);
    expect(() => retentionDays(31)).toThrow(/logRetentionDays 31/);
  });
});
