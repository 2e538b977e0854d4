/**
 * lean-cli's brokerages (its modules file, `cdn.quantconnect.com/cli/modules-*.json`, which lean-cli
 * downloads at run time) as LEAN configures them: the module id lean-cli sends as `brokerage.id`
 * (and as a `dataProviders` key when the brokerage also streams data), its display name, LEAN's
 * `live-mode-brokerage` / `data-queue-handler` type, and the settings it cannot run without. The
 * settings themselves arrive under LEAN's own config keys (`ib-user-name`, `tradier-access-token`,
 * …) and go to LEAN's config unchanged. Facts from lean-cli's tests and LEAN's brokerage type
 * names; the modules file itself is not in lean-cli's repository.
 *
 * The brokerage's plugin (its `QuantConnect.*Brokerages*` DLLs) must be in the runner image: the
 * operator names those it added in `LCS_LIVE_FEEDS` (core/domain/live/live-feeds.ts, docs/live.md).
 */
export interface BrokerageModule {
  /** lean-cli's module id (`brokerage.id`, a `dataProviders` key). */
  id: string;
  /** lean-cli's `--brokerage` / `--data-provider-live` name. */
  name: string;
  /** LEAN's `live-mode-brokerage` (and `data-queue-handler`) for these settings. */
  leanType: (settings: Record<string, unknown>) => string;
  /** LEAN config keys that must be set. */
  required: readonly string[];
  /** Needs QuantConnect's OAuth flow (`live/auth0/*`), which this server does not offer. */
  oauth?: boolean;
}

const fixed = (type: string) => () => type;

/** Binance's LEAN type follows `binance-exchange-name` (lean-cli offers Binance, BinanceUS and the two futures markets). */
const BINANCE_TYPES: Record<string, string> = {
  binance: 'BinanceBrokerage',
  binanceus: 'BinanceUSBrokerage',
  'binance-usdm-futures': 'BinanceFuturesBrokerage',
  'binance-coin-futures': 'BinanceCoinFuturesBrokerage',
};

const TT_KEYS = [
  'tt-user-name',
  'tt-session-password',
  'tt-account-name',
  'tt-rest-app-key',
  'tt-rest-app-secret',
  'tt-rest-environment',
  'tt-market-data-sender-comp-id',
  'tt-market-data-target-comp-id',
  'tt-market-data-host',
  'tt-market-data-port',
  'tt-order-routing-sender-comp-id',
  'tt-order-routing-target-comp-id',
  'tt-order-routing-host',
  'tt-order-routing-port',
] as const;

export const BROKERAGE_MODULES: readonly BrokerageModule[] = [
  {
    id: 'InteractiveBrokersBrokerage',
    name: 'Interactive Brokers',
    leanType: fixed('InteractiveBrokersBrokerage'),
    required: ['ib-user-name', 'ib-account', 'ib-password'],
  },
  {
    id: 'TradierBrokerage',
    name: 'Tradier',
    leanType: fixed('TradierBrokerage'),
    required: ['tradier-account-id', 'tradier-access-token', 'tradier-environment'],
  },
  { id: 'OandaBrokerage', name: 'OANDA', leanType: fixed('OandaBrokerage'), required: ['oanda-account-id', 'oanda-access-token', 'oanda-environment'] },
  { id: 'BitfinexBrokerage', name: 'Bitfinex', leanType: fixed('BitfinexBrokerage'), required: ['bitfinex-api-key', 'bitfinex-api-secret'] },
  {
    id: 'CoinbaseBrokerage',
    name: 'Coinbase Advanced Trade',
    leanType: fixed('CoinbaseBrokerage'),
    required: ['coinbase-api-name', 'coinbase-api-private-key'],
  },
  {
    id: 'BinanceBrokerage',
    name: 'Binance',
    leanType: (s) => BINANCE_TYPES[String(s['binance-exchange-name'] ?? 'binance').toLowerCase()] ?? 'BinanceBrokerage',
    required: ['binance-exchange-name'],
  },
  {
    id: 'ZerodhaBrokerage',
    name: 'Zerodha',
    leanType: fixed('ZerodhaBrokerage'),
    required: ['zerodha-api-key', 'zerodha-access-token', 'zerodha-product-type', 'zerodha-trading-segment'],
  },
  {
    id: 'SamcoBrokerage',
    name: 'Samco',
    leanType: fixed('SamcoBrokerage'),
    required: ['samco-client-id', 'samco-client-password', 'samco-year-of-birth', 'samco-product-type', 'samco-trading-segment'],
  },
  { id: 'KrakenBrokerage', name: 'Kraken', leanType: fixed('KrakenBrokerage'), required: ['kraken-api-key', 'kraken-api-secret', 'kraken-verification-tier'] },
  { id: 'BybitBrokerage', name: 'Bybit', leanType: fixed('BybitBrokerage'), required: ['bybit-api-key', 'bybit-api-secret', 'bybit-vip-level'] },
  { id: 'TradingTechnologiesBrokerage', name: 'Trading Technologies', leanType: fixed('TradingTechnologiesBrokerage'), required: TT_KEYS },
  { id: 'CharlesSchwabBrokerage', name: 'Charles Schwab', leanType: fixed('CharlesSchwabBrokerage'), required: ['charles-schwab-account-number'], oauth: true },
  { id: 'AlpacaBrokerage', name: 'Alpaca', leanType: fixed('AlpacaBrokerage'), required: [], oauth: true },
  { id: 'TradeStationBrokerage', name: 'TradeStation', leanType: fixed('TradeStationBrokerage'), required: [], oauth: true },
  { id: 'TastytradeBrokerage', name: 'tastytrade', leanType: fixed('TastytradeBrokerage'), required: [], oauth: true },
];

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The module for lean-cli's id or display name (any case, spaces and dashes ignored). */
export function brokerageModule(idOrName: string): BrokerageModule | undefined {
  const key = squash(idOrName);
  if (!key) return undefined;
  return BROKERAGE_MODULES.find((m) => squash(m.id) === key || squash(m.name) === key || squash(m.id.replace(/Brokerage$/, '')) === key);
}

/** The required LEAN config keys missing (or empty) in `settings`. */
export function missingSettings(module: BrokerageModule, settings: Record<string, unknown>): string[] {
  return module.required.filter((key) => settings[key] === undefined || settings[key] === null || String(settings[key]).trim() === '');
}
