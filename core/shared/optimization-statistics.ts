/**
 * An optimization point's `statistics` array, in the order lean-cli indexes it (contract §3.7; LEAN's
 * OptimizationBacktestJsonConverter): 15 is the Sharpe Ratio, 6 the Compounding Annual Return, 13 the Probabilistic
 * Sharpe Ratio, 7 the Drawdown. A wire fact shared by the server, which writes the array, and the web console, which
 * reads it; so this file imports nothing (.dependency-cruiser.cjs).
 */
export const OPTIMIZATION_STATISTICS: readonly string[] = [
  'Alpha',
  'Annual Standard Deviation',
  'Annual Variance',
  'Average Loss',
  'Average Win',
  'Beta',
  'Compounding Annual Return',
  'Drawdown',
  'Estimated Strategy Capacity',
  'Expectancy',
  'Information Ratio',
  'Loss Rate',
  'Net Profit',
  'Probabilistic Sharpe Ratio',
  'Profit-Loss Ratio',
  'Sharpe Ratio',
  'Total Fees',
  'Total Orders',
  'Tracking Error',
  'Treynor Ratio',
  'Win Rate',
];
