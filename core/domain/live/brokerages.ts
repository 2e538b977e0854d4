/**
 * The brokerages and data providers `live/create` names (QuantConnect's API spec: the
 * `*BrokerageSettings` / `*DataProviderSettings` schemas of `brokerage` and `dataProviders`), as
 * LEAN configures them: the id the client sends as `brokerage.id` (and as a `dataProviders` id), its
 * display name (lean-cli's `--brokerage`), LEAN's `live-mode-brokerage` / `data-queue-handler` type
 * (LEAN's `Launcher/config.json` environments), the settings the spec requires, and how a setting
 * whose value LEAN reads differently becomes LEAN config (a testnet flag becomes the testnet URLs).
 * Settings are named by LEAN's own config keys (`ib-user-name`, `tradier-access-token`, …) and go
 * to LEAN's config under those keys.
 *
 * The plugin (its `QuantConnect.*Brokerages*` / `Lean.DataSource.*` DLLs) must be in the runner
 * image: the operator names those it added in `LCS_LIVE_FEEDS` (core/domain/live/live-feeds.ts,
 * docs/live.md).
 */
export interface BrokerageModule {
  /** The spec's module id (`brokerage.id`, a `dataProviders` id). */
  id: string;
  /** lean-cli's `--brokerage` / `--data-provider-live` name. */
  name: string;
  /** Other names of the module: the `dataProviders` key when it differs from the id. */
  aliases?: readonly string[];
  /** LEAN's `live-mode-brokerage` (and `data-queue-handler`) for these settings. */
  leanType: (settings: Record<string, unknown>) => string;
  /** Settings the spec requires of it as the brokerage (none besides `id`: `[]`). */
  required: (settings: Record<string, unknown>) => readonly string[];
  /** Settings the spec requires of it as a data provider, when they differ from `required`. */
  feedRequired?: readonly string[];
  /**
   * LEAN config keys LEAN needs that the spec leaves out because QuantConnect's cloud fills them in
   * (the FIX session of an institutional brokerage): here the client gives them.
   */
  serverRequired?: readonly string[];
  /** LEAN config derived from the spec's settings (added to them, never replacing a key the client sent). */
  derived?: (settings: Record<string, unknown>) => Record<string, string>;
  /** Why it cannot be a data provider (LEAN has no data-queue handler for it), or `undefined` when it can. */
  feedRefusal?: (settings: Record<string, unknown>) => string | undefined;
  /** A data provider only: it cannot be the brokerage. */
  dataOnly?: boolean;
  /** Signs in through QuantConnect's OAuth flow (`live/auth0/*`, not offered here): as the brokerage only, or in both roles. */
  oauth?: 'brokerage' | 'both';
}

const fixed = (type: string) => () => type;
const keys =
  (...list: string[]) =>
  () =>
    list;
const text = (value: unknown) => String(value ?? '').trim();

/**
 * Binance's markets share the id `BinanceBrokerage`; `binance-exchange-name` chooses LEAN's type and
 * the settings (BinanceUS has its own `binanceus-*` keys; only Binance spot has a testnet switch).
 */
const BINANCE: Record<string, { type: string; required: readonly string[] }> = {
  binance: { type: 'BinanceBrokerage', required: ['binance-exchange-name', 'binance-api-key', 'binance-api-secret', 'binance-use-testnet'] },
  binanceus: { type: 'BinanceUSBrokerage', required: ['binance-exchange-name', 'binanceus-api-key', 'binanceus-api-secret'] },
  binanceusdmfutures: { type: 'BinanceFuturesBrokerage', required: ['binance-exchange-name', 'binance-api-key', 'binance-api-secret'] },
  binancecoinfutures: { type: 'BinanceCoinFuturesBrokerage', required: ['binance-exchange-name', 'binance-api-key', 'binance-api-secret'] },
};
const binanceMarket = (s: Record<string, unknown>) => BINANCE[squash(text(s['binance-exchange-name']) || 'Binance')] ?? BINANCE.binance!;

/** LEAN's Binance spot plugin reaches the testnet through its URLs (`binance-use-testnet: paper`). */
const BINANCE_TESTNET = { 'binance-api-url': 'https://testnet.binance.vision', 'binance-websocket-url': 'wss://testnet.binance.vision/ws' };

/** LEAN's FIX settings of an institutional brokerage that QuantConnect's cloud supplies. */
const fixSession = (prefix: string) => [`${prefix}-host`, `${prefix}-port`, `${prefix}-sender-comp-id`, `${prefix}-target-comp-id`];

const TT_KEYS = [
  'tt-user-name',
  'tt-session-password',
  'tt-account-name',
  'tt-rest-app-key',
  'tt-rest-app-secret',
  'tt-rest-environment',
  'tt-order-routing-sender-comp-id',
] as const;

const NO_FEED = (name: string) => () => `${name} has no LEAN data feed (LEAN pairs it with another data provider)`;

export const BROKERAGE_MODULES: readonly BrokerageModule[] = [
  {
    id: 'InteractiveBrokersBrokerage',
    name: 'Interactive Brokers',
    leanType: fixed('InteractiveBrokersBrokerage'),
    required: keys('ib-user-name', 'ib-account', 'ib-password', 'ib-weekly-restart-utc-time'),
    // LEAN's IB Gateway logs in as paper or live; IB's paper accounts start with "DU".
    derived: (s) => ({ 'ib-trading-mode': /^DU/i.test(text(s['ib-account'])) ? 'paper' : 'live' }),
  },
  {
    id: 'TradierBrokerage',
    name: 'Tradier',
    leanType: fixed('TradierBrokerage'),
    required: keys('tradier-account-id', 'tradier-access-token', 'tradier-environment'),
    feedRefusal: (s) =>
      text(s['tradier-environment']).toLowerCase() === 'paper' ? "Tradier's paper environment (developer sandbox) has no live data feed" : undefined,
  },
  { id: 'OandaBrokerage', name: 'OANDA', leanType: fixed('OandaBrokerage'), required: keys('oanda-account-id', 'oanda-access-token', 'oanda-environment') },
  { id: 'BitfinexBrokerage', name: 'Bitfinex', leanType: fixed('BitfinexBrokerage'), required: keys('bitfinex-api-key', 'bitfinex-api-secret') },
  {
    id: 'CoinbaseBrokerage',
    name: 'Coinbase Advanced Trade',
    leanType: fixed('CoinbaseBrokerage'),
    required: keys('coinbase-api-name', 'coinbase-api-private-key'),
  },
  {
    id: 'BinanceBrokerage',
    name: 'Binance',
    leanType: (s) => binanceMarket(s).type,
    required: (s) => binanceMarket(s).required,
    derived: (s) => (binanceMarket(s).type === 'BinanceBrokerage' && text(s['binance-use-testnet']).toLowerCase() === 'paper' ? BINANCE_TESTNET : {}),
  },
  {
    id: 'KrakenBrokerage',
    name: 'Kraken',
    leanType: fixed('KrakenBrokerage'),
    required: keys('kraken-api-key', 'kraken-api-secret', 'kraken-verification-tier'),
  },
  { id: 'BybitBrokerage', name: 'Bybit', leanType: fixed('BybitBrokerage'), required: keys('bybit-api-key', 'bybit-api-secret', 'bybit-vip-level') },
  {
    id: 'TradingTechnologiesBrokerage',
    name: 'Trading Technologies',
    leanType: fixed('TradingTechnologiesBrokerage'),
    required: () => [...TT_KEYS, 'cash'],
    // LEAN streams its data too; the starting cash matters to the brokerage only.
    feedRequired: TT_KEYS,
    serverRequired: ['tt-order-routing-target-comp-id', 'tt-order-routing-host', 'tt-order-routing-port'],
  },
  {
    id: 'WolverineBrokerage',
    name: 'Wolverine Execution Services',
    leanType: fixed('WolverineBrokerage'),
    required: keys('wolverine-account', 'wolverine-on-behalf-of-comp-id'),
    serverRequired: fixSession('wolverine'),
    feedRefusal: NO_FEED('Wolverine Execution Services'),
  },
  {
    id: 'RBIBrokerage',
    name: 'RBI',
    leanType: fixed('RBIBrokerage'),
    required: keys('rbi-account', 'rbi-on-behalf-of-comp-id'),
    serverRequired: fixSession('rbi'),
    feedRefusal: NO_FEED('RBI'),
  },
  {
    id: 'TerminalLinkBrokerage',
    name: 'Terminal Link',
    leanType: fixed('TerminalLinkBrokerage'),
    required: keys(
      'terminal-link-connection-type',
      'terminal-link-server-auth-id',
      'terminal-link-environment',
      'terminal-link-server-host',
      'terminal-link-server-port',
      'terminal-link-emsx-broker',
      'terminal-link-emsx-account',
      'terminal-link-openfigi-api-key',
    ),
  },
  {
    id: 'AlpacaBrokerage',
    name: 'Alpaca',
    leanType: fixed('AlpacaBrokerage'),
    // As the brokerage the spec takes an OAuth access token; as a data provider, an API key.
    required: keys('alpaca-access-token', 'alpaca-environment'),
    feedRequired: ['alpaca-api-key', 'alpaca-api-secret'],
    derived: (s): Record<string, string> =>
      s['alpaca-environment'] === undefined ? {} : { 'alpaca-paper-trading': String(text(s['alpaca-environment']).toLowerCase() !== 'live') },
    oauth: 'brokerage',
  },
  {
    id: 'CharlesSchwabBrokerage',
    name: 'Charles Schwab',
    leanType: fixed('CharlesSchwabBrokerage'),
    required: keys('charles-schwab-account-number'),
    oauth: 'both',
  },
  {
    id: 'TradeStationBrokerage',
    name: 'TradeStation',
    leanType: fixed('TradeStationBrokerage'),
    required: keys('trade-station-client-id', 'trade-station-account-id', 'trade-station-refresh-token', 'trade-station-environment'),
    oauth: 'both',
  },
  {
    id: 'TastytradeBrokerage',
    name: 'tastytrade',
    leanType: fixed('TastytradeBrokerage'),
    required: keys('tastytrade-account-number', 'tastytrade-refresh-token'),
    oauth: 'both',
  },
  {
    id: 'Polygon',
    name: 'Polygon',
    aliases: ['PolygonDataFeed', 'PolygonDataProvider'],
    leanType: fixed('QuantConnect.Lean.DataSource.Polygon.PolygonDataProvider'),
    required: keys('polygon-api-key'),
    dataOnly: true,
  },
  // lean-cli's local brokerages, not in QuantConnect's cloud spec.
  {
    id: 'ZerodhaBrokerage',
    name: 'Zerodha',
    leanType: fixed('ZerodhaBrokerage'),
    required: keys('zerodha-api-key', 'zerodha-access-token', 'zerodha-product-type', 'zerodha-trading-segment'),
  },
  {
    id: 'SamcoBrokerage',
    name: 'Samco',
    leanType: fixed('SamcoBrokerage'),
    required: keys('samco-client-id', 'samco-client-password', 'samco-year-of-birth', 'samco-product-type', 'samco-trading-segment'),
  },
];

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const names = (m: BrokerageModule) => [m.id, m.name, m.id.replace(/Brokerage$/, ''), ...(m.aliases ?? [])].map(squash);

/** The module for an id, a `dataProviders` key or lean-cli's display name (any case, spaces and dashes ignored). */
export function brokerageModule(idOrName: string): BrokerageModule | undefined {
  const key = squash(idOrName);
  if (!key) return undefined;
  return BROKERAGE_MODULES.find((m) => names(m).includes(key));
}

/** The settings `module` needs in `role` that are missing (or empty) in `settings`: first the spec's, then LEAN's own. */
export function missingSettings(module: BrokerageModule, settings: Record<string, unknown>, role: 'brokerage' | 'feed' = 'brokerage'): string[] {
  const needed = [...((role === 'feed' && module.feedRequired) || module.required(settings)), ...(module.serverRequired ?? [])];
  const empty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : text(value) === '');
  return needed.filter((key) => empty(settings[key]));
}

/** The client's flag for a setting (lean-cli: `--<key>`, the cash as `--live-cash-balance`). */
const settingFlag = (key: string) => `--${key === 'cash' ? 'live-cash-balance' : key}`;

/** The error for missing settings: names the keys, never a value. */
export function missingSettingsMessage(module: BrokerageModule, missing: readonly string[]): string {
  const fix = missing.filter((k) => module.serverRequired?.includes(k));
  const note = fix.length
    ? `; ${fix.join(', ')} ${fix.length > 1 ? 'are' : 'is'} the FIX session QuantConnect's cloud fills in, which here you give yourself`
    : '';
  return `${module.name} needs ${missing.join(', ')} (lean-cli: ${missing.map(settingFlag).join(' ')}${note})`;
}

/** LEAN's config for a module's settings: the client's keys as sent, plus what LEAN reads from them in another form. */
export function leanSettings(module: BrokerageModule | undefined, settings: Record<string, unknown>): Record<string, unknown> {
  const derived = module?.derived?.(settings) ?? {};
  return { ...Object.fromEntries(Object.entries(derived).filter(([key]) => settings[key] === undefined)), ...settings };
}
