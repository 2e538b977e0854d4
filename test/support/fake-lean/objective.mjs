/**
 * Statistics an optimization test can predict: with `# fake-lean-optimum: fast=15,slow=40` in the
 * algorithm's header, the run's Sharpe ratio peaks at those parameter values and its drawdown grows
 * with their sum, so the best point, and which points a drawdown constraint excludes, are known:
 *
 *   Sharpe   = 2 − Σ ((p − optimum) / 10)²        Drawdown = Σ p / 200 (a fraction)
 *
 * Everything else stays what the run produced. The values are written where real LEAN writes them
 * (Lean:`Common/Statistics/StatisticsBuilder.cs`): the display strings of `statistics`
 * ("Sharpe Ratio" "1.5", "Drawdown" "27.500%", "Probabilistic Sharpe Ratio" as a percentage) and
 * the decimals of `totalPerformance.portfolioStatistics` (serialised as strings, as LEAN does).
 */
export function objectiveOf(optimum, parameters) {
  if (!optimum) return undefined;
  let sharpe = 2;
  let sum = 0;
  for (const [name, best] of Object.entries(optimum)) {
    const value = Number(parameters[name] ?? best);
    sharpe -= ((value - Number(best)) / 10) ** 2;
    sum += value;
  }
  const drawdown = sum / 200;
  // A monotone stand-in for the probabilistic Sharpe ratio: 0–1, higher with the Sharpe ratio.
  const psr = 1 / (1 + Math.exp(-sharpe));
  return { sharpe: round(sharpe, 4), drawdown: round(drawdown, 4), psr: round(psr, 4) };
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

export function objectiveStatistics(objective) {
  if (!objective) return {};
  return {
    'Sharpe Ratio': objective.sharpe.toFixed(3),
    Drawdown: `${(objective.drawdown * 100).toFixed(3)}%`,
    'Probabilistic Sharpe Ratio': `${(objective.psr * 100).toFixed(3)}%`,
  };
}

export function objectivePortfolioStatistics(objective) {
  if (!objective) return {};
  return { sharpeRatio: String(objective.sharpe), drawdown: String(objective.drawdown), probabilisticSharpeRatio: String(objective.psr) };
}
