/**
 * Metrics leave as CloudWatch embedded-metric-format lines on stdout: one per request (the endpoint
 * a property, not a dimension), an Errors count by category on failures, and AuthFailures.
 */
async function captured(run: (m: typeof import('../../core/shared/metrics')) => void): Promise<Record<string, unknown>[]> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_DEV = 'false';
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  jest.isolateModules(() => {
    run(require('../../core/shared/metrics'));
  });
  spy.mockRestore();
  log.mockRestore();
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('_aws'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('a request is one series with the endpoint as a property; a failure also counts as an error by category', async () => {
  const [ok, request, error] = await captured((m) => {
    m.recordRequest('projects/read', 'ok');
    m.recordRequest('projects/update', 'forbidden');
  });
  type Declared = { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  const declared = (line: Record<string, unknown> | undefined) => (line?._aws as Declared | undefined)?.CloudWatchMetrics[0];
  expect(ok).toMatchObject({ endpoint: 'projects/read', Requests: 1 });
  expect(ok?.Errors).toBeUndefined();
  // The endpoint is searchable in the line, but no dimension: one Requests series for all endpoints.
  expect(declared(ok)?.Dimensions.flat()).toEqual(['service']);
  expect(declared(ok)?.Metrics.map((x) => x.Name)).toEqual(['Requests']);
  expect(request).toMatchObject({ endpoint: 'projects/update', Requests: 1 });
  expect(error).toMatchObject({ endpoint: 'projects/update', Errors: 1, category: 'forbidden' });
  expect(declared(error)?.Dimensions.flat().sort()).toEqual(['category', 'service']);
});

test('authentication failures are counted', async () => {
  const [line] = await captured((m) => m.recordAuthFailure());
  expect(line).toMatchObject({ AuthFailures: 1 });
});

test('a server-side failure is also one InternalErrors series without the endpoint, for an alarm', async () => {
  const lines = await captured((m) => {
    m.recordRequest('projects/update', 'internal');
    m.recordRequest('projects/update', 'invalid');
  });
  const internal = lines.filter((l) => l.InternalErrors === 1);
  expect(internal).toHaveLength(1);
  expect(internal[0]?.endpoint).toBeUndefined();
  const declared = (internal[0]?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] } | undefined)?.CloudWatchMetrics[0];
  expect(declared?.Dimensions.flat()).toEqual(['service']);
});

test('job events carry their own dimensions and units', async () => {
  const [line] = await captured((m) => m.recordEvent('RunnerStartLatency', { kind: 'backtest' }, 1234, m.MetricUnit.Milliseconds));
  expect(line).toMatchObject({ kind: 'backtest', RunnerStartLatency: 1234 });
  const declared = (line?._aws as { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] } | undefined)?.CloudWatchMetrics[0];
  expect(declared?.Metrics).toEqual([{ Name: 'RunnerStartLatency', Unit: 'Milliseconds' }]);
});
