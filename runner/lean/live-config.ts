import type { CashAmount, InitialHolding, LiveDeployment } from '../../core/domain/live/types';
import { type LeanConfigInput, leanConfig } from './config';

/**
 * LEAN's config for a live deployment (lean-runtime §2.4): the backtest keys (paths, ids, API,
 * credentials) with lean-cli's live handler set, the brokerage and data-queue handlers chosen at
 * deploy time, the starting cash and holdings, and the deployment's secret values (brokerage and
 * feed credentials, LEAN config keys) on top. The file is written 0600 and never logged.
 */
export interface LiveConfigInput extends Omit<LeanConfigInput, 'backtest'> {
  deployment: LiveDeployment;
  cash?: CashAmount[];
  holdings?: InitialHolding[];
  secrets: Record<string, string>;
}

export function liveLeanConfig(input: LiveConfigInput): Record<string, unknown> {
  const d = input.deployment;
  const base = leanConfig({ ...input, backtest: { backtestId: d.deployId, name: d.projectName, projectId: d.projectId, orgId: d.orgId, parameterSet: {} } });
  const paper = d.leanBrokerage === 'PaperBrokerage';
  return {
    ...base,
    // A flat file (no `environments` block) is read as is (lean-runtime §2); the name is informational.
    environment: 'lcs-live',
    'live-mode': true,
    'setup-handler': 'QuantConnect.Lean.Engine.Setup.BrokerageSetupHandler',
    'result-handler': 'QuantConnect.Lean.Engine.Results.LiveTradingResultHandler',
    'data-feed-handler': 'QuantConnect.Lean.Engine.DataFeeds.LiveTradingDataFeed',
    'real-time-handler': 'QuantConnect.Lean.Engine.RealTime.LiveTradingRealTimeHandler',
    // LEAN's stock `live-paper` environment fills paper orders with the backtesting transaction handler.
    'transaction-handler': paper
      ? 'QuantConnect.Lean.Engine.TransactionHandlers.BacktestingTransactionHandler'
      : 'QuantConnect.Lean.Engine.TransactionHandlers.BrokerageTransactionHandler',
    'history-provider': ['SubscriptionDataReaderHistoryProvider'],
    'live-mode-brokerage': d.leanBrokerage,
    'data-queue-handler': d.dataQueueHandlers,
    ...(input.cash?.length ? { 'live-cash-balance': input.cash } : {}),
    // LEAN's shape (Lean:`Brokerages/Brokerage.cs`): {Symbol: {Value, ID}, Quantity, AveragePrice}.
    ...(input.holdings?.length
      ? { 'live-holdings': input.holdings.map((h) => ({ Symbol: { Value: h.symbol, ID: h.symbolId }, Quantity: h.quantity, AveragePrice: h.averagePrice })) }
      : {}),
    ...input.secrets,
  };
}
