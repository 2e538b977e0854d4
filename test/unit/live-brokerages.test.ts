import { BROKERAGE_MODULES, brokerageModule } from '../../core/domain/live/brokerages';
import { chooseFeeds, FAKE_DATA_QUEUE, type LiveFeeds, liveFeeds } from '../../core/domain/live/live-feeds';
import { InvalidError } from '../../core/shared/errors';

/**
 * The brokerages of `live/create` (issue 12 item 3), from QuantConnect's API spec (the
 * `*BrokerageSettings` schemas): each id and its settings, as `lean cloud live deploy` sends them,
 * map to LEAN's `live-mode-brokerage`, `data-queue-handler` and the brokerage's own config keys,
 * once the operator has put its plugin in the runner image. The samples are made up.
 */

interface Case {
  /** lean-cli's `--brokerage` name. */
  name: string;
  id: string;
  /** What the client sends besides `id` (the spec's setting keys). */
  settings: Record<string, unknown>;
  /** LEAN's `live-mode-brokerage` (and `data-queue-handler`). */
  leanType: string;
  /** The settings the spec requires (and LEAN's FIX session keys QuantConnect's cloud fills in). */
  required: string[];
  /** LEAN config written to the deployment's secret, when it differs from `settings`. */
  lean?: Record<string, string>;
  /** It has no LEAN data feed of its own. */
  noFeed?: boolean;
}

const cash = [{ currency: 'USD', amount: 1000 }];
const binance = { 'binance-api-key': 'bk', 'binance-api-secret': 'bs' };

const cases: Case[] = [
  {
    name: 'Interactive Brokers',
    id: 'InteractiveBrokersBrokerage',
    settings: { 'ib-user-name': 'trader', 'ib-account': 'DU7', 'ib-password': 'pw', 'ib-weekly-restart-utc-time': '21:30:00' },
    leanType: 'InteractiveBrokersBrokerage',
    required: ['ib-user-name', 'ib-account', 'ib-password', 'ib-weekly-restart-utc-time'],
    lean: { 'ib-user-name': 'trader', 'ib-account': 'DU7', 'ib-password': 'pw', 'ib-weekly-restart-utc-time': '21:30:00', 'ib-trading-mode': 'paper' },
  },
  {
    name: 'Tradier',
    id: 'TradierBrokerage',
    settings: { 'tradier-account-id': 'A1', 'tradier-access-token': 'tok', 'tradier-environment': 'live' },
    leanType: 'TradierBrokerage',
    required: ['tradier-account-id', 'tradier-access-token', 'tradier-environment'],
  },
  {
    name: 'OANDA',
    id: 'OandaBrokerage',
    settings: { 'oanda-account-id': '001-001-0000001-001', 'oanda-access-token': 'tok', 'oanda-environment': 'Practice' },
    leanType: 'OandaBrokerage',
    required: ['oanda-account-id', 'oanda-access-token', 'oanda-environment'],
  },
  {
    name: 'Bitfinex',
    id: 'BitfinexBrokerage',
    settings: { 'bitfinex-api-key': 'k', 'bitfinex-api-secret': 's' },
    leanType: 'BitfinexBrokerage',
    required: ['bitfinex-api-key', 'bitfinex-api-secret'],
  },
  {
    name: 'Coinbase Advanced Trade',
    id: 'CoinbaseBrokerage',
    settings: { 'coinbase-api-name': 'organizations/o/apiKeys/k', 'coinbase-api-private-key': 'pem' },
    leanType: 'CoinbaseBrokerage',
    required: ['coinbase-api-name', 'coinbase-api-private-key'],
  },
  {
    name: 'Binance',
    id: 'BinanceBrokerage',
    settings: { 'binance-exchange-name': 'Binance', ...binance, 'binance-use-testnet': 'paper' },
    leanType: 'BinanceBrokerage',
    required: ['binance-exchange-name', 'binance-api-key', 'binance-api-secret', 'binance-use-testnet'],
    lean: {
      'binance-exchange-name': 'Binance',
      ...binance,
      'binance-use-testnet': 'paper',
      'binance-api-url': 'https://testnet.binance.vision',
      'binance-websocket-url': 'wss://testnet.binance.vision/ws',
    },
  },
  {
    name: 'Binance',
    id: 'BinanceBrokerage',
    settings: { 'binance-exchange-name': 'Binance', ...binance, 'binance-use-testnet': 'live' },
    leanType: 'BinanceBrokerage',
    required: ['binance-exchange-name', 'binance-api-key', 'binance-api-secret', 'binance-use-testnet'],
  },
  {
    name: 'Binance',
    id: 'BinanceBrokerage',
    settings: { 'binance-exchange-name': 'BinanceUS', 'binanceus-api-key': 'uk', 'binanceus-api-secret': 'us' },
    leanType: 'BinanceUSBrokerage',
    required: ['binanceus-api-key', 'binanceus-api-secret'],
  },
  {
    name: 'Binance',
    id: 'BinanceBrokerage',
    settings: { 'binance-exchange-name': 'Binance-USDM-Futures', ...binance },
    leanType: 'BinanceFuturesBrokerage',
    required: ['binance-api-key', 'binance-api-secret'],
  },
  {
    name: 'Binance',
    id: 'BinanceBrokerage',
    settings: { 'binance-exchange-name': 'Binance-COIN-Futures', ...binance },
    leanType: 'BinanceCoinFuturesBrokerage',
    required: ['binance-api-key', 'binance-api-secret'],
  },
  {
    name: 'Kraken',
    id: 'KrakenBrokerage',
    settings: { 'kraken-api-key': 'k', 'kraken-api-secret': 's', 'kraken-verification-tier': 'Intermediate' },
    leanType: 'KrakenBrokerage',
    required: ['kraken-api-key', 'kraken-api-secret', 'kraken-verification-tier'],
  },
  {
    name: 'Bybit',
    id: 'BybitBrokerage',
    settings: { 'bybit-api-key': 'k', 'bybit-api-secret': 's', 'bybit-vip-level': 'VIP2' },
    leanType: 'BybitBrokerage',
    required: ['bybit-api-key', 'bybit-api-secret', 'bybit-vip-level'],
  },
  {
    name: 'Trading Technologies',
    id: 'TradingTechnologiesBrokerage',
    settings: {
      'tt-user-name': 'u',
      'tt-session-password': 'p',
      'tt-account-name': 'acct',
      'tt-rest-app-key': 'ak',
      'tt-rest-app-secret': 'as',
      'tt-rest-environment': 'uat',
      'tt-order-routing-sender-comp-id': 'SND',
      'tt-order-routing-target-comp-id': 'TGT',
      'tt-order-routing-host': 'fix.example',
      'tt-order-routing-port': '11702',
      cash,
    },
    leanType: 'TradingTechnologiesBrokerage',
    required: ['tt-user-name', 'tt-rest-environment', 'tt-order-routing-sender-comp-id', 'cash', 'tt-order-routing-host'],
  },
  {
    name: 'Wolverine Execution Services',
    id: 'WolverineBrokerage',
    settings: {
      'wolverine-account': 'W1',
      'wolverine-on-behalf-of-comp-id': 'FIRM',
      'wolverine-host': 'fix.example',
      'wolverine-port': '9000',
      'wolverine-sender-comp-id': 'S',
      'wolverine-target-comp-id': 'T',
    },
    leanType: 'WolverineBrokerage',
    required: ['wolverine-account', 'wolverine-on-behalf-of-comp-id', 'wolverine-host', 'wolverine-target-comp-id'],
    noFeed: true,
  },
  {
    name: 'RBI',
    id: 'RBIBrokerage',
    settings: {
      'rbi-account': 'R1',
      'rbi-on-behalf-of-comp-id': 'FIRM',
      'rbi-host': 'fix.example',
      'rbi-port': '9001',
      'rbi-sender-comp-id': 'S',
      'rbi-target-comp-id': 'T',
    },
    leanType: 'RBIBrokerage',
    required: ['rbi-account', 'rbi-on-behalf-of-comp-id', 'rbi-port', 'rbi-sender-comp-id'],
    noFeed: true,
  },
  {
    name: 'Terminal Link',
    id: 'TerminalLinkBrokerage',
    settings: {
      'terminal-link-connection-type': 'SAPI',
      'terminal-link-server-auth-id': '123',
      'terminal-link-environment': 'Beta',
      'terminal-link-server-host': '10.0.0.1',
      'terminal-link-server-port': 8194,
      'terminal-link-emsx-broker': 'BRK',
      'terminal-link-emsx-account': 'EA',
      'terminal-link-openfigi-api-key': 'fk',
    },
    leanType: 'TerminalLinkBrokerage',
    required: ['terminal-link-connection-type', 'terminal-link-server-port', 'terminal-link-openfigi-api-key'],
    lean: {
      'terminal-link-connection-type': 'SAPI',
      'terminal-link-server-auth-id': '123',
      'terminal-link-environment': 'Beta',
      'terminal-link-server-host': '10.0.0.1',
      'terminal-link-server-port': '8194',
      'terminal-link-emsx-broker': 'BRK',
      'terminal-link-emsx-account': 'EA',
      'terminal-link-openfigi-api-key': 'fk',
    },
  },
  {
    name: 'Zerodha',
    id: 'ZerodhaBrokerage',
    settings: { 'zerodha-api-key': 'k', 'zerodha-access-token': 't', 'zerodha-product-type': 'mis', 'zerodha-trading-segment': 'equity' },
    leanType: 'ZerodhaBrokerage',
    required: ['zerodha-api-key', 'zerodha-access-token', 'zerodha-product-type', 'zerodha-trading-segment'],
  },
  {
    name: 'Samco',
    id: 'SamcoBrokerage',
    settings: {
      'samco-client-id': '1',
      'samco-client-password': 'p',
      'samco-year-of-birth': '1990',
      'samco-product-type': 'mis',
      'samco-trading-segment': 'equity',
    },
    leanType: 'SamcoBrokerage',
    required: ['samco-client-id', 'samco-client-password', 'samco-year-of-birth', 'samco-product-type', 'samco-trading-segment'],
  },
];

/** What the operator names in LCS_LIVE_FEEDS: every module, by id, as lists. */
const everything = (): LiveFeeds =>
  liveFeeds({
    LCS_LIVE_FEEDS: JSON.stringify({
      defaultDataQueueHandler: FAKE_DATA_QUEUE,
      brokerages: BROKERAGE_MODULES.filter((m) => !m.dataOnly).map((m) => m.id),
      dataQueueHandlers: ['Polygon'],
    }),
  });

/** The LEAN config a case's settings become (the secret): everything but `cash`, values as strings. */
const leanConfig = (c: Case) =>
  c.lean ??
  Object.fromEntries(
    Object.entries(c.settings)
      .filter(([k]) => k !== 'cash')
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );

describe.each(cases.map((c) => [c.name, c.leanType, c] as const))('%s (%s)', (name, leanType, c) => {
  test('offered: live-mode-brokerage is LEAN’s type, its settings go to LEAN’s config (the secret) under LEAN’s keys', () => {
    const choice = chooseFeeds({ id: c.id, ...c.settings, cash }, {}, everything());
    expect(choice.leanBrokerage).toBe(leanType);
    expect(choice.dataQueueHandlers).toEqual([FAKE_DATA_QUEUE]);
    expect(choice.secretValues).toEqual(leanConfig(c));
    // lean-cli's display name is accepted as the id too.
    expect(brokerageModule(name)?.id).toBe(c.id);
  });

  if (c.noFeed)
    test('not a data feed: refused as a data provider, saying LEAN has none for it', () => {
      expect(() => chooseFeeds({ id: c.id, ...c.settings }, { [c.id]: { id: c.id } }, everything())).toThrow(
        new RegExp(`^dataProviders: ${name} has no LEAN data feed`),
      );
    });
  else
    test('as its own data feed too (lean-cli: --data-provider-live with the brokerage)', () => {
      const alone = { ...c.settings };
      delete alone.cash;
      expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, { [c.id]: { id: c.id, ...alone } }, everything()).dataQueueHandlers).toEqual([leanType]);
      expect(chooseFeeds({ id: c.id, ...c.settings }, { [c.id]: { id: c.id } }, everything()).dataQueueHandlers).toEqual([leanType]);
    });

  test.each(c.required)('without %s: refused naming the key, never a value', (key) => {
    const { [key]: _dropped, ...sent } = c.settings;
    // Credentials marked, to show none reaches the message.
    const rest = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, /key|secret|password|token/.test(k) ? `${String(v)}-CREDENTIAL` : v]));
    const attempt = () => chooseFeeds({ id: c.id, ...rest }, {}, everything());
    expect(attempt).toThrow(InvalidError);
    expect(attempt).toThrow(new RegExp(`^brokerage: ${name} needs ${key}\\b[^(]*\\(lean-cli: --${key === 'cash' ? 'live-cash-balance' : key}\\b`));
    let message = '';
    try {
      attempt();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('CREDENTIAL');
  });

  test('not in the runner image: refused, saying the operator must add its plugin, naming what is offered', () => {
    expect(() => chooseFeeds({ id: c.id, ...c.settings }, {}, liveFeeds({}))).toThrow(InvalidError);
    expect(() => chooseFeeds({ id: c.id, ...c.settings }, {}, liveFeeds({}))).toThrow(
      new RegExp(
        `^brokerage: '${c.id}' is not offered by this server \\(${name} runs once the operator adds its LEAN plugin to the runner image; docs/live\\.md\\); it offers QuantConnectBrokerage \\(Paper Trading\\)$`,
      ),
    );
  });
});

describe('OAuth brokerages (QuantConnect’s live/auth0 flow, not offered here)', () => {
  const oauth: [string, Record<string, unknown>][] = [
    ['CharlesSchwabBrokerage', { 'charles-schwab-account-number': '1234' }],
    [
      'TradeStationBrokerage',
      { 'trade-station-client-id': 'c', 'trade-station-account-id': 'a', 'trade-station-refresh-token': 'r', 'trade-station-environment': 'paper' },
    ],
    ['TastytradeBrokerage', { 'tastytrade-account-number': 5, 'tastytrade-refresh-token': 'r' }],
    ['AlpacaBrokerage', { 'alpaca-access-token': 't', 'alpaca-environment': 'paper' }],
  ];
  test.each(oauth)('%s as the brokerage is refused, saying why', (id, settings) => {
    expect(() => chooseFeeds({ id, ...settings }, {}, everything())).toThrow(
      /^brokerage: .+ signs in through QuantConnect's OAuth flow \(live\/auth0\), which this server does not offer/,
    );
  });
  test.each(oauth.filter(([id]) => id !== 'AlpacaBrokerage'))('%s as a data provider is refused too', (id, settings) => {
    expect(() => chooseFeeds({ id: 'QuantConnectBrokerage' }, { [id]: { id, ...settings } }, everything())).toThrow(
      /^dataProviders: .+ signs in through QuantConnect's OAuth flow \(live\/auth0\)/,
    );
  });
  test('Alpaca as a data provider takes an API key and secret, not OAuth', () => {
    const feed = { id: 'AlpacaBrokerage', 'alpaca-api-key': 'PK1', 'alpaca-api-secret': 'as' };
    const choice = chooseFeeds({ id: 'QuantConnectBrokerage' }, { AlpacaBrokerage: feed }, everything());
    expect(choice).toMatchObject({ leanBrokerage: 'PaperBrokerage', dataQueueHandlers: ['AlpacaBrokerage'] });
    expect(choice.secretValues).toEqual({ 'alpaca-api-key': 'PK1', 'alpaca-api-secret': 'as' });
    expect(() => chooseFeeds({ id: 'QuantConnectBrokerage' }, { AlpacaBrokerage: { id: 'AlpacaBrokerage', 'alpaca-api-key': 'PK1' } }, everything())).toThrow(
      /^dataProviders: Alpaca needs alpaca-api-secret/,
    );
  });
});

describe('data providers', () => {
  test('Polygon (key PolygonDataFeed, id Polygon): LEAN’s Polygon data-queue handler, its key to the secret', () => {
    const choice = chooseFeeds({ id: 'QuantConnectBrokerage' }, { PolygonDataFeed: { id: 'Polygon', 'polygon-api-key': 'pk' } }, everything());
    expect(choice.dataQueueHandlers).toEqual(['QuantConnect.Lean.DataSource.Polygon.PolygonDataProvider']);
    expect(choice.secretValues).toEqual({ 'polygon-api-key': 'pk' });
    expect(() => chooseFeeds({ id: 'QuantConnectBrokerage' }, { PolygonDataFeed: { id: 'Polygon' } }, everything())).toThrow(
      /^dataProviders: Polygon needs polygon-api-key \(lean-cli: --polygon-api-key\)$/,
    );
    expect(() => chooseFeeds({ id: 'Polygon', 'polygon-api-key': 'pk' }, {}, everything())).toThrow(/^brokerage: Polygon is a data provider, not a brokerage/);
    // Not named by the operator: not offered.
    expect(() => chooseFeeds({ id: 'QuantConnectBrokerage' }, { PolygonDataFeed: { id: 'Polygon', 'polygon-api-key': 'pk' } }, liveFeeds({}))).toThrow(
      /^dataProviders: 'Polygon' is not offered by this server/,
    );
  });

  test('the operator’s own data-queue handler map still works as configured', () => {
    const feeds = liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ dataQueueHandlers: { PolygonDataProvider: 'My.Polygon', MyFeed: 'My.Feed' } }) });
    expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, { PolygonDataProvider: { id: 'PolygonDataProvider', 'polygon-api-key': 'k' } }, feeds)).toMatchObject({
      dataQueueHandlers: ['My.Polygon'],
      secretValues: { 'polygon-api-key': 'k' },
    });
    expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, { MyFeed: { id: 'MyFeed', 'my-key': 'v' } }, feeds).dataQueueHandlers).toEqual(['My.Feed']);
    // A provider of the table under another spelling takes the operator's type, its settings checked.
    expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, { PolygonDataFeed: { id: 'Polygon', 'polygon-api-key': 'k' } }, feeds).dataQueueHandlers).toEqual([
      'My.Polygon',
    ]);
  });

  test('Tradier’s paper environment has no live data feed (the spec says so)', () => {
    const paper = { id: 'TradierBrokerage', 'tradier-account-id': 'A', 'tradier-access-token': 't', 'tradier-environment': 'paper' };
    expect(chooseFeeds(paper, {}, everything()).leanBrokerage).toBe('TradierBrokerage');
    expect(() => chooseFeeds(paper, { TradierBrokerage: { id: 'TradierBrokerage' } }, everything())).toThrow(
      /^dataProviders: Tradier's paper environment \(developer sandbox\) has no live data feed/,
    );
  });
});

describe('other forms', () => {
  test('the operator’s explicit type wins; a map keyed by display name offers the module', () => {
    const feeds = liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ defaultDataQueueHandler: 'X', brokerages: { 'Interactive Brokers': 'MyIbBrokerage' } }) });
    const ib = { id: 'InteractiveBrokersBrokerage', 'ib-user-name': 'u', 'ib-account': 'U1', 'ib-password': 'p', 'ib-weekly-restart-utc-time': '22:00:00' };
    expect(chooseFeeds(ib, {}, feeds)).toMatchObject({ leanBrokerage: 'MyIbBrokerage', secretValues: { 'ib-trading-mode': 'live' } });
    // The client's own ib-trading-mode is kept.
    expect(chooseFeeds({ ...ib, 'ib-trading-mode': 'paper' }, {}, feeds).secretValues['ib-trading-mode']).toBe('paper');
    // An id the table does not know, named by the operator, passes its settings through unchecked.
    const custom = liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ defaultDataQueueHandler: 'X', brokerages: { MyBroker: 'QuantConnect.MyBroker' } }) });
    expect(chooseFeeds({ id: 'MyBroker', 'my-key': 'k' }, {}, custom)).toMatchObject({
      leanBrokerage: 'QuantConnect.MyBroker',
      secretValues: { 'my-key': 'k' },
    });
  });

  test('paper trading needs nothing; an unknown brokerage names what is offered', () => {
    expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, {}, everything()).leanBrokerage).toBe('PaperBrokerage');
    expect(() => chooseFeeds({ id: 'NoSuchBroker' }, {}, everything())).toThrow(
      /^brokerage: 'NoSuchBroker' is not offered by this server; it offers QuantConnectBrokerage \(Paper Trading\), InteractiveBrokersBrokerage/,
    );
  });
});
