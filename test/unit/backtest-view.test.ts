import { newBacktest, statusText } from '../../core/domain/backtests/backtest-lifecycle';
import { backtestSummaryView, backtestView } from '../../core/domain/backtests/backtest-view';
import type { Backtest, BacktestPhase } from '../../core/domain/backtests/types';
import { backtestSchemas } from '../../lambdas/api/backtests/schemas';
import { parseParams } from '../../lambdas/api/schema';

/**
 * The backtest object against contract §4 and §8 item 12, as QuantConnect's own clients validate
 * it: object-typed fields are objects in every phase, parameters keep their JSON types, and the
 * status is one of the documented texts.
 */
const queued = (fields: Partial<Backtest> = {}) =>
  newBacktest({ projectId: 10_000_001, orgId: 'a'.repeat(32), userId: 1, compileId: `${'b'.repeat(32)}-${'c'.repeat(32)}`, name: 'n', ...fields });

/** Status texts of contract §4: `In Queue...`, `Running: <n>%` (n below 100 while running), `Completed.`, `Runtime Error`. */
const DOCUMENTED_STATUS = /^(In Queue\.\.\.|Running: [1-9]?\d%|Completed\.|Runtime Error)$/;

describe('object-typed fields are objects before results exist', () => {
  test.each(['queued', 'starting', 'running'] as const)('%s: statistics and runtimeStatistics are {} (never [] or null)', (phase) => {
    const view = backtestView(queued({ phase, progress: phase === 'running' ? 0.5 : 0 }));
    expect(view.statistics).toEqual({});
    expect(view.runtimeStatistics).toEqual({});
    expect(view.rollingWindow).toEqual({});
    expect(view.charts).toEqual({});
    // lean-cli's completion rule must still not hold: totalPerformance stays unset.
    expect(view.totalPerformance).toBeNull();
    expect(view.completed).toBe(false);
  });

  test('running keeps the latest runtime statistics', () => {
    const view = backtestView(queued({ phase: 'running', progress: 0.2, runtimeStatistics: { Equity: '$100,000.00' } }));
    expect(view.runtimeStatistics).toEqual({ Equity: '$100,000.00' });
    expect(view.statistics).toEqual({});
  });
});

describe('parameterSet keeps JSON types end to end', () => {
  test('backtests/create parameters are parsed with their types', () => {
    const parsed = parseParams(backtestSchemas.backtestCreate, {
      projectId: 10_000_001,
      compileId: `${'b'.repeat(32)}-${'c'.repeat(32)}`,
      parameters: { a: 0, b: 0.5, c: 'foo', d: true },
    });
    expect(parsed).toMatchObject({ ok: true, data: { parameters: { a: 0, b: 0.5, c: 'foo', d: true } } });
  });

  test('the backtest object and the list item answer them as given; none is []', () => {
    const b = queued({ parameterSet: { a: 0, b: 0.5, c: 'foo' } });
    expect(backtestView(b).parameterSet).toEqual({ a: 0, b: 0.5, c: 'foo' });
    expect(backtestSummaryView(b, false).parameterSet).toEqual({ a: 0, b: 0.5, c: 'foo' });
    expect(backtestView(queued()).parameterSet).toEqual([]);
  });
});

describe('status stays within the documented texts', () => {
  const phases: BacktestPhase[] = ['queued', 'starting', 'running', 'completed', 'failed', 'stopped'];
  test.each(phases)('%s, whatever the progress', (phase) => {
    for (const progress of [0, 0.004, 0.5, 0.999, 1, 1.5, -1, Number.NaN]) {
      expect(statusText({ phase, progress })).toMatch(DOCUMENTED_STATUS);
    }
  });

  test('running reads `Running: n%` with n the floored percentage', () => {
    expect(statusText({ phase: 'running', progress: 0.456 })).toBe('Running: 45%');
    expect(statusText({ phase: 'running', progress: 1 })).toBe('Running: 99%');
  });

  test('a stopped backtest reads as ended with an error, so a polling client stops', () => {
    const view = backtestView(queued({ phase: 'stopped' }));
    expect(view.status).toBe('Runtime Error');
    expect(view.completed).toBe(true);
    expect(view.error).toMatch(/stopped/i);
  });
});
