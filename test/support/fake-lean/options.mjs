import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * How the fake LEAN reads its settings, the way the real launcher does (lean-runtime §1, §2, §8):
 * `--config <file>` (default `./config.json`), the file's top-level keys merged with
 * `environments[<environment>]`, and `--<key> <value>` command-line options on top. Test-only
 * `fake-lean-*` settings may also come from a marker line in the algorithm file or from the
 * algorithm's parameters, so a test can pick a scenario without touching the runner's config.
 */

export const SCENARIOS = ['ok', 'slow', 'runtime-error', 'init-error', 'crash', 'oom', 'hang', 'huge'];

const TUNABLE_DEFAULTS = {
  'fake-lean-seconds': 3,
  'fake-lean-orders': 20,
  'fake-lean-chart-points': 50,
  'fake-lean-insights': 10,
  /** > 0: each intermediate `<id>.json` stays half-written this many ms before it is completed. */
  'fake-lean-half-write-ms': 0,
  // Files whose data/read LEAN's ApiDataProvider saw refused with HTTP 429 (an API under load).
  'fake-lean-throttled-reads': 0,
  // Live mode: ms between updates, and simulated hours per update (> 0 crosses UTC days quickly).
  'fake-lean-live-interval-ms': 300,
  'fake-lean-live-hours-per-tick': 0,
};

/** `--key value`, `--key=value`; a flag followed by another flag (or nothing) reads as `true`. */
export function parseCommandLine(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      options[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      options[arg.slice(2)] = argv[++i];
    } else {
      options[arg.slice(2)] = 'true';
    }
  }
  return options;
}

/** LEAN's `--parameters a:1,b:2` form, or the config file's object form; values become strings. */
export function parseParameters(value) {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  const text = String(value).trim();
  if (text.startsWith('{')) return parseParameters(JSON.parse(text));
  const parameters = {};
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    if (colon > 0) parameters[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return parameters;
}

/** `a=1,b=2` (a marker's value has no spaces) → { a: '1', b: '2' }; undefined when not given. */
function parsePairs(value) {
  if (value === undefined || value === null || value === '') return undefined;
  return Object.fromEntries(
    String(value)
      .split(',')
      .map((pair) => pair.split('='))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k.trim(), v.trim()]),
  );
}

/** `# fake-lean-scenario: slow` or `// fake-lean-orders: 5` anywhere in the algorithm's source. */
export function algorithmMarkers(source) {
  const markers = {};
  for (const match of source.matchAll(/^[ \t]*(?:#|\/\/)[ \t]*(fake-lean-[a-z-]+)[ \t]*:[ \t]*(\S+)/gm)) {
    markers[match[1]] ??= match[2];
  }
  return markers;
}

function readAlgorithmSource(location) {
  if (!location) return '';
  try {
    // A C# location names a DLL; only small text files can carry markers.
    if (statSync(location).size > 1_000_000) return '';
    return readFileSync(location, 'utf8');
  } catch {
    return '';
  }
}

function truthy(value) {
  return value === true || value === 'true' || value === 'True' || value === '1';
}

/** Everything the fake needs, resolved once. */
export function loadSettings(argv, cwd = process.cwd()) {
  const cli = parseCommandLine(argv);
  const configPath = resolve(cwd, cli.config ?? 'config.json');
  let file = {};
  try {
    file = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config ${configPath}: ${error.message}`);
  }
  const environment = cli.environment ?? file.environment;
  const flat = { ...file, ...(environment ? file.environments?.[environment] : undefined), ...cli };
  delete flat.environments;

  const algorithmLocation = flat['algorithm-location'] ? resolve(cwd, String(flat['algorithm-location'])) : undefined;
  const parameters = parseParameters(flat.parameters);
  const markers = algorithmMarkers(readAlgorithmSource(algorithmLocation));
  // Command line and config key first, then the algorithm file, then the algorithm's parameters.
  const pick = (key) => flat[key] ?? markers[key] ?? parameters[key];

  // An optimization's failing point: `# fake-lean-fail-when: fast=10` fails the runs with those values.
  const failWhen = parsePairs(pick('fake-lean-fail-when'));
  const failing = failWhen !== undefined && Object.entries(failWhen).every(([k, v]) => parameters[k] !== undefined && Number(parameters[k]) === Number(v));
  const scenario = failing ? 'runtime-error' : String(pick('fake-lean-scenario') ?? 'ok');
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown fake-lean-scenario '${scenario}' (one of ${SCENARIOS.join(', ')})`);
  const tunables = {};
  for (const [key, fallback] of Object.entries(TUNABLE_DEFAULTS)) {
    const raw = pick(key);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${key} must be a non-negative number, got '${raw}'`);
    tunables[key] = value;
  }
  if (scenario === 'huge') {
    tunables['fake-lean-orders'] = pick('fake-lean-orders') === undefined ? 100_000 : tunables['fake-lean-orders'];
    tunables['fake-lean-chart-points'] = pick('fake-lean-chart-points') === undefined ? 50_000 : tunables['fake-lean-chart-points'];
  }

  return {
    cwd,
    configPath,
    algorithmId: String(flat['algorithm-id'] ?? 'fake-lean'),
    resultsDir: resolve(cwd, String(flat['results-destination-folder'] ?? '.')),
    algorithmLocation: flat['algorithm-location'] ? String(flat['algorithm-location']) : '',
    dataFolder: resolve(cwd, String(flat['data-folder'] ?? '../../../Data/')),
    mapFileProvider: flat['map-file-provider'],
    factorFileProvider: flat['factor-file-provider'],
    backtestName: String(flat['backtest-name'] ?? 'local'),
    projectId: String(flat['project-id'] ?? '0'),
    userId: String(flat['job-user-id'] ?? '0'),
    language: String(flat['algorithm-language'] ?? 'Python'),
    pythonAdditionalPaths: Array.isArray(flat['python-additional-paths']) ? flat['python-additional-paths'].map(String) : [],
    composerDllDirectory: flat['composer-dll-directory'] ? resolve(cwd, String(flat['composer-dll-directory'])) : undefined,
    liveMode: truthy(flat['live-mode']),
    liveIntervalMs: Math.max(20, tunables['fake-lean-live-interval-ms']),
    liveHoursPerTick: tunables['fake-lean-live-hours-per-tick'],
    liveCash: Array.isArray(flat['live-cash-balance']) ? flat['live-cash-balance'] : [],
    liveHoldings: Array.isArray(flat['live-holdings']) ? flat['live-holdings'] : [],
    brokerage: flat['live-mode-brokerage'],
    dataQueueHandler: flat['data-queue-handler'],
    closeAutomatically: truthy(flat['close-automatically']),
    parameters,
    scenario,
    seconds: tunables['fake-lean-seconds'],
    orders: Math.floor(tunables['fake-lean-orders']),
    chartPoints: Math.max(2, Math.floor(tunables['fake-lean-chart-points'])),
    insights: Math.floor(tunables['fake-lean-insights']),
    halfWriteMs: tunables['fake-lean-half-write-ms'],
    killAfterSummary: truthy(pick('fake-lean-kill-after-summary')),
    // Test-only: where to dump the environment LEAN was started with, and what else it could see.
    envFile: pick('fake-lean-env-file'),
    // Test-only: LEAN's own API calls are made (and recorded here) only when this is set.
    apiFile: pick('fake-lean-api-file'),
    apiProbes: pick('fake-lean-api-probes'),
    apiUrl: flat['api-url'] ? String(flat['api-url']) : undefined,
    apiToken: String(flat['api-access-token'] ?? ''),
    organizationId: flat['job-organization-id'] ? String(flat['job-organization-id']) : undefined,
    dataProvider: flat['data-provider'] ? String(flat['data-provider']) : undefined,
    throttledReads: Math.floor(tunables['fake-lean-throttled-reads']),
    // LocalObjectStore's folder, and what the algorithm saves to / deletes from it (one key each).
    objectStoreRoot: flat['object-store-root'] ? resolve(cwd, String(flat['object-store-root'])) : undefined,
    storeWrite: pick('fake-lean-store-write'),
    storeDelete: pick('fake-lean-store-delete'),
    // `# fake-lean-optimum: fast=15,slow=40`: statistics derived from the parameters (objective.mjs).
    optimum: parsePairs(pick('fake-lean-optimum')),
  };
}
