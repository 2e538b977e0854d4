import { better, canonicalTarget, compare, meetsConstraints, readTarget, statisticsArray, targetReached } from '../../core/domain/optimizations/objectives';
import { gridPoint, gridSize, parameterSetKey, parameterValues, refineAround } from '../../core/domain/optimizations/search-space';

/**
 * The search space and objectives as LEAN's optimizer defines them (Lean:`Optimizer/`,
 * `Common/Optimizer/`): grid enumeration and size, Euler refinement, targets and constraints read
 * from the result, and the statistics array lean-cli indexes.
 */
describe('grid', () => {
  test('values run min + i·step while ≤ max (LEAN OptimizationStepParameterEnumerator), without binary noise', () => {
    expect(parameterValues({ min: 5, max: 20, step: 5 })).toEqual(['5', '10', '15', '20']);
    expect(parameterValues({ min: 0, max: 0.3, step: 0.1 })).toEqual(['0', '0.1', '0.2', '0.3']);
    expect(parameterValues({ min: 1, max: 10, step: 4 })).toEqual(['1', '5', '9']);
    expect(parameterValues({ min: 3, max: 3, step: 1 })).toEqual(['3']);
  });

  test('size is the product of the value counts; point i varies the last parameter fastest', () => {
    const parameters = [
      { name: 'fast', min: 5, max: 20, step: 5, minStep: 5 },
      { name: 'slow', min: 20, max: 60, step: 10, minStep: 10 },
    ];
    expect(gridSize(parameters)).toBe(20);
    expect(gridPoint(parameters, 0)).toEqual({ fast: '5', slow: '20' });
    expect(gridPoint(parameters, 1)).toEqual({ fast: '5', slow: '30' });
    expect(gridPoint(parameters, 5)).toEqual({ fast: '10', slow: '20' });
    expect(gridPoint(parameters, 19)).toEqual({ fast: '20', slow: '60' });
    const all = Array.from({ length: 20 }, (_, i) => parameterSetKey(gridPoint(parameters, i)));
    expect(new Set(all).size).toBe(20);
  });
});

describe('Euler refinement (LEAN EulerSearchOptimizationStrategy)', () => {
  const original = [{ name: 'fast', min: 0, max: 80, step: 40, minStep: 5 }];

  test('step / 4 (not below minStep), range best ± 2·step clipped to the original bounds', () => {
    expect(refineAround(original, original, { fast: '0' })).toEqual([{ name: 'fast', min: 0, max: 20, step: 10, minStep: 5 }]);
    expect(refineAround([{ name: 'fast', min: 0, max: 20, step: 10, minStep: 5 }], original, { fast: '10' })).toEqual([
      { name: 'fast', min: 0, max: 20, step: 5, minStep: 5 },
    ]);
  });

  test('ends when every step has reached its minStep', () => {
    expect(refineAround([{ name: 'fast', min: 0, max: 20, step: 5, minStep: 5 }], original, { fast: '10' })).toBeUndefined();
  });

  test('"10" and "10.0" are the same point', () => {
    expect(parameterSetKey({ b: '10.0', a: '1' })).toBe(parameterSetKey({ a: '1', b: '10' }));
  });
});

describe('objectives (LEAN Target, Constraint)', () => {
  const result = {
    statistics: { 'Sharpe Ratio': '1.5', Drawdown: '27.500%', 'Total Fees': '$1,390.49' },
    totalPerformance: { portfolioStatistics: { sharpeRatio: '1.5', drawdown: '0.275' } },
  };

  test('paths are read key by key, case-insensitively; a bare name reads Statistics', () => {
    expect(readTarget(result, 'TotalPerformance.PortfolioStatistics.SharpeRatio')).toBe(1.5);
    expect(readTarget(result, "['TotalPerformance'].['PortfolioStatistics'].['Drawdown']")).toBe(0.275);
    expect(readTarget(result, 'Drawdown')).toBe(27.5);
    expect(readTarget(result, 'TotalPerformance.PortfolioStatistics.Missing')).toBeUndefined();
  });

  test('all six operators; a missing value does not meet a constraint', () => {
    expect([
      compare('Less', 1, 2),
      compare('LessOrEqual', 2, 2),
      compare('Greater', 3, 2),
      compare('GreaterOrEqual', 2, 2),
      compare('Equals', 2, 2),
      compare('NotEqual', 1, 2),
    ]).toEqual([true, true, true, true, true, true]);
    expect(meetsConstraints(result, [{ target: 'TotalPerformance.PortfolioStatistics.Drawdown', operator: 'Less', targetValue: 0.25 }])).toBe(false);
    expect(meetsConstraints(result, [{ target: 'TotalPerformance.PortfolioStatistics.Nothing', operator: 'NotEqual', targetValue: 0 }])).toBe(false);
  });

  test('better and target reached follow the extremum', () => {
    expect(better('max', 1, 2)).toBe(true);
    expect(better('min', 1, 2)).toBe(false);
    expect(better('min', undefined, 2)).toBe(true);
    expect(targetReached('max', 1.5, 1.6)).toBe(true);
    expect(targetReached('max', 1.5, 1.4)).toBe(false);
    expect(targetReached('min', 0.1, 0.1)).toBe(true);
    expect(targetReached('max', null, 9)).toBe(false);
  });

  test('targets are PortfolioStatistics fields, canonically spelled', () => {
    expect(canonicalTarget('totalperformance.portfoliostatistics.sharperatio')).toBe('TotalPerformance.PortfolioStatistics.SharpeRatio');
    expect(canonicalTarget('TotalPerformance.PortfolioStatistics.ValueAtRisk95')).toBe('TotalPerformance.PortfolioStatistics.ValueAtRisk95');
    expect(canonicalTarget('TotalPerformance.PortfolioStatistics.Happiness')).toBeUndefined();
    expect(canonicalTarget('Sharpe Ratio')).toBeUndefined();
  });

  test('the statistics array: 21 numbers in LEAN’s order, units dropped (15 Sharpe, 7 Drawdown, 16 fees)', () => {
    const array = statisticsArray(result.statistics);
    expect(array).toHaveLength(21);
    expect(array[15]).toBe(1.5);
    expect(array[7]).toBe(27.5);
    expect(array[16]).toBe(1390.49);
    expect(array[0]).toBe(0);
  });
});
