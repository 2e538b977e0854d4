import { InvalidError } from '../../shared/errors';
import { brokerageModule, missingSettings } from './brokerages';

/**
 * Brokerages and live data feeds (design §8, lean-runtime §2.4). Stock LEAN has no live feed of its
 * own, so what a deployment may use is what the operator put in the runner image and named in
 * `LCS_LIVE_FEEDS` (docs/live.md):
 *
 *   { "dataQueueHandlers": { "<lean-cli provider id>": "<LEAN IDataQueueHandler type>" },
 *     "defaultDataQueueHandler": "<LEAN type>",
 *     "brokerages": { "<lean-cli brokerage id>": "<LEAN IBrokerage type>" } }
 *
 * Paper trading (`PaperBrokerage`) is always offered. lean-cli's `QuantConnect` data provider (id
 * `QuantConnectBrokerage`) means "this server's default feed". Local mode defaults to LEAN's
 * `FakeDataQueue`, which makes up random prices: fine to try the platform, not market data.
 */
export interface LiveFeeds {
  dataQueueHandlers: Record<string, string>;
  defaultDataQueueHandler?: string;
  /**
   * lean-cli brokerage id → LEAN type. An id of lean-cli's modules (core/domain/live/brokerages.ts)
   * may map to `""`: its LEAN type is then the module's. `LCS_LIVE_FEEDS` may also list ids or names.
   */
  brokerages: Record<string, string>;
}

/** lean-cli's and LEAN's spellings of paper trading (`live/create` brokerage ids). */
const PAPER_IDS = new Set(['quantconnectbrokerage', 'paperbrokerage', 'paper trading', 'paper', 'paper-trading']);
/** lean-cli's id for QuantConnect's own data feed, and LEAN's default `dataProviders`. */
const QC_FEED_IDS = new Set(['quantconnectbrokerage', 'quantconnect']);

export const FAKE_DATA_QUEUE = 'QuantConnect.Lean.Engine.DataFeeds.Queues.FakeDataQueue';

export function liveFeeds(env: NodeJS.ProcessEnv = process.env): LiveFeeds {
  const raw = env.LCS_LIVE_FEEDS;
  if (!raw) return { dataQueueHandlers: {}, brokerages: {} };
  let parsed: Partial<LiveFeeds>;
  try {
    parsed = JSON.parse(raw) as Partial<LiveFeeds>;
  } catch (err) {
    throw new Error(`LCS_LIVE_FEEDS is not JSON: ${(err as Error).message}`);
  }
  const listed = parsed.brokerages as unknown;
  const brokerages = Array.isArray(listed)
    ? Object.fromEntries(listed.map((name) => [brokerageModule(String(name))?.id ?? String(name), '']))
    : ((listed as Record<string, string> | undefined) ?? {});
  return { dataQueueHandlers: parsed.dataQueueHandlers ?? {}, brokerages, defaultDataQueueHandler: parsed.defaultDataQueueHandler };
}

export interface FeedChoice {
  leanBrokerage: string;
  dataQueueHandlers: string[];
  /** The brokerage's and data providers' own settings (credentials): LEAN config keys → values, for the secret. */
  secretValues: Record<string, string>;
}

const offered = (feeds: LiveFeeds) =>
  [...(feeds.defaultDataQueueHandler ? ['QuantConnect'] : []), ...Object.keys(feeds.dataQueueHandlers), ...Object.keys(feeds.brokerages)].join(', ') ||
  'none (the operator has configured no live data feed)';

/** The key of `feeds.brokerages` that offers lean-cli's brokerage `id` (the id itself, or another spelling of the same module). */
function offeredKey(id: string, feeds: LiveFeeds): string | undefined {
  if (id in feeds.brokerages) return id;
  const module = brokerageModule(id);
  return module && Object.keys(feeds.brokerages).find((k) => brokerageModule(k)?.id === module.id);
}

/**
 * LEAN's type for a brokerage lean-cli names, if the runner image offers it, its required settings
 * given; otherwise an error naming what is missing or what this server offers.
 */
function offeredBrokerage(id: string, settings: Record<string, unknown>, feeds: LiveFeeds, field: 'brokerage' | 'dataProviders'): string {
  const module = brokerageModule(id);
  const key = offeredKey(id, feeds);
  const explicit = key === undefined ? undefined : feeds.brokerages[key];
  if (module?.oauth && !explicit)
    throw new InvalidError(`${field}: ${module.name} signs in through QuantConnect's OAuth flow (live/auth0), which this server does not offer`);
  if (key === undefined) {
    const names = ['QuantConnectBrokerage (Paper Trading)', ...Object.keys(feeds.brokerages)].join(', ');
    const plugin = module ? ` (${module.name} runs once the operator adds its LEAN plugin to the runner image; docs/live.md)` : '';
    throw new InvalidError(`${field}: '${id}' is not offered by this server${plugin}; it offers ${names}`);
  }
  if (module) {
    const missing = missingSettings(module, settings);
    if (missing.length) throw new InvalidError(`${field}: ${module.name} needs ${missing.join(', ')} (lean-cli: ${missing.map((k) => `--${k}`).join(' ')})`);
  }
  const type = explicit || module?.leanType(settings);
  if (!type) throw new InvalidError(`${field}: '${id}' has no LEAN brokerage type configured on this server (LCS_LIVE_FEEDS)`);
  return type;
}

/**
 * Maps lean-cli's brokerage and data-provider choices to LEAN's config, or refuses naming what
 * this server offers. Every setting besides `id`, `cash` and `holdings` is treated as a
 * credential: it goes to the deployment's secret, never to the table.
 */
export function chooseFeeds(brokerage: Record<string, unknown>, dataProviders: Record<string, Record<string, unknown>>, feeds: LiveFeeds): FeedChoice {
  const secretValues: Record<string, string> = {};
  const keep = (settings: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(settings)) {
      if (key === 'id' || key === 'cash' || key === 'holdings' || value === undefined || value === null) continue;
      secretValues[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  const brokerageId = String(brokerage.id ?? '');
  let leanBrokerage: string;
  if (PAPER_IDS.has(brokerageId.toLowerCase())) leanBrokerage = 'PaperBrokerage';
  else leanBrokerage = offeredBrokerage(brokerageId, brokerage, feeds, 'brokerage');
  keep(brokerage);

  const handlers: string[] = [];
  const entries = Object.entries(dataProviders);
  // LEAN's own live/create sends `{QuantConnectBrokerage: {id: QuantConnectBrokerage}}`; none at all means the same.
  for (const [key, settings] of entries.length ? entries : [['QuantConnectBrokerage', { id: 'QuantConnectBrokerage' }] as const]) {
    const id = String((settings as Record<string, unknown>).id ?? key);
    const handler = QC_FEED_IDS.has(id.toLowerCase())
      ? feeds.defaultDataQueueHandler
      : (feeds.dataQueueHandlers[id] ??
        // A brokerage the server offers streams its own data too (lean-cli sends it as a data provider).
        (offeredKey(id, feeds) !== undefined
          ? offeredBrokerage(id, { ...brokerage, ...(settings as Record<string, unknown>) }, feeds, 'dataProviders')
          : undefined));
    if (!handler) throw new InvalidError(`dataProviders: '${id}' is not offered by this server; it offers ${offered(feeds)}`);
    if (!handlers.includes(handler)) handlers.push(handler);
    keep(settings as Record<string, unknown>);
  }
  return { leanBrokerage, dataQueueHandlers: handlers, secretValues };
}
