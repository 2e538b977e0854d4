import { type Answer, type Creds, call } from './api';

/**
 * `lean data download --dataset <name> --<option> <value> --yes` replayed over HTTP in lean-cli's
 * order and with its rules (lean-cli:lean/commands/data/download.py, lean/models/data.py,
 * lean/components/api/data_client.py; contract §3.9, §5.2): organizations/read → market/data/list →
 * data/prices (a dataset with no `datasources` entry is dropped) → options → path templates →
 * data/list of each file group's common prefix (intersected with the rendered files) → the price
 * regex of each file (price not null) → data/read → an unauthenticated GET of the link.
 */
interface CliDataset {
  id: number;
  name: string;
  delivery: string;
  vendorName: string;
  tags: { name: string }[];
  pending: boolean;
}
interface CliOption {
  type: string;
  id: string;
  label: string;
  description: string;
  transform?: string;
  multiple?: boolean;
}
interface CliDatasource {
  options: CliOption[];
  paths: { condition?: unknown; templates: { all?: string[]; latest?: string[] } }[];
  requirements?: Record<string, string>;
}

/** A successful answer's body; anything else fails as lean-cli's API client does, with the errors. */
export const okBody = (answer: Answer) => {
  if (answer.status !== 200 || answer.body.success !== true) throw new Error(`HTTP ${answer.status}: ${(answer.body.errors ?? [answer.text]).join('; ')}`);
  return answer.body;
};

/** lean-cli's QCDataVendor regex: the text between the first and the last '/'. */
const vendorRegex = (text: string) => new RegExp(text.slice(text.indexOf('/') + 1, text.lastIndexOf('/')));

/** The common prefix of rendered paths (lean-cli `Product._get_common_prefix`). */
function commonPrefix(values: string[]): string {
  const shortest = values.reduce((a, b) => (b.length < a.length ? b : a));
  for (let i = 0; i < shortest.length; i++) if (values.some((v) => v[i] !== shortest[i])) return shortest.slice(0, i);
  return shortest;
}

/** Replays `lean data download --dataset <name> --<option> <value> --yes`; answers the files written. */
export async function leanDataDownload(creds: Creds, organizationId: string, name: string, params: Record<string, string>): Promise<Map<string, Buffer>> {
  const organization = okBody(await call('organizations/read', { json: { organizationId }, creds })).organization as {
    data: { current: boolean };
    credit: { balance: number };
  };
  const cloud = okBody(await call('market/data/list', { json: {}, creds })).list as CliDataset[];
  const info = okBody(await call('data/prices', { json: { organizationId }, creds })) as {
    datasources: Record<string, CliDatasource | unknown[]>;
    prices: { vendorName: string; regex: string; price: number | null }[];
    agreement: string;
  };
  // _get_available_datasets: cloud-only, pending and entries without a datasource are dropped.
  const available = cloud.flatMap((d) => {
    const source = info.datasources[String(d.id)];
    if (d.delivery === 'cloud only' || d.pending || !source || Array.isArray(source)) return [];
    return [{ name: d.name.trim(), source: source as CliDatasource }];
  });
  const dataset = available.find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!dataset) throw new Error(`There is no dataset named '${name}'`);
  expect(Object.keys(dataset.source.requirements ?? {})).toEqual([]); // no Security Master demanded
  // _select_products_non_interactive: every option must be given; text options transform their value.
  const results: Record<string, string[]> = {};
  for (const option of dataset.source.options) {
    expect(option).toMatchObject({ type: 'text', transform: expect.stringMatching(/^(lowercase|uppercase)$/) });
    const input = params[option.id];
    if (input === undefined) throw new Error(`Missing option --${option.id}`);
    const parts = option.multiple
      ? input
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : [input];
    results[option.id] = parts.map((v) => (option.transform === 'lowercase' ? v.toLowerCase() : v.toUpperCase()));
  }
  // Product.get_data_files: one group per value of the multiple option, per "all" template.
  const path = dataset.source.paths.find((p) => p.condition === undefined || p.condition === null);
  if (!path) throw new Error('No eligible path templates found');
  const multiple = dataset.source.options.find((o) => o.multiple)?.id;
  const combos = multiple ? (results[multiple] ?? []).map((v) => ({ ...results, [multiple]: v })) : [results];
  const files = new Set<string>();
  for (const vars of combos) {
    for (const template of path.templates.all ?? []) {
      const rendered = Object.entries(vars).reduce((t, [k, v]) => t.replaceAll(`{${k}}`, String(v)), template);
      const prefix = commonPrefix([rendered]);
      // Fewer than 3 segments: no listing, the file is taken as is.
      if (prefix.split('/').length < 3) {
        files.add(rendered);
        continue;
      }
      const listed = okBody(await call('data/list', { json: { filePath: prefix }, creds })).objects as string[];
      const first = prefix.split('/')[0];
      if (listed.map((o) => `${first}/${o}`).includes(rendered)) files.add(rendered);
    }
  }
  // _map_data_files_to_vendors: the first vendor with a price whose regex finds the file.
  const priced = [...files].sort().map((file) => {
    const vendor = info.prices.find((v) => v.price !== null && vendorRegex(v.regex).test(file));
    if (!vendor) throw new Error(`There is no data vendor that sells '${file}'`);
    return { file, price: vendor.price as number };
  });
  expect(priced.reduce((sum, f) => sum + f.price, 0)).toBeLessThanOrEqual(organization.credit.balance);
  // _verify_accept_agreement: prices again, and the terms already current (no polling).
  okBody(await call('data/prices', { json: { organizationId }, creds }));
  expect(organization.data.current).toBe(true);
  // DataDownloader.download_files: data/read, then a plain GET of the link.
  const written = new Map<string, Buffer>();
  for (const { file } of priced) {
    const { link } = okBody(await call('data/read', { json: { format: 'link', filePath: file, organizationId }, creds })) as { link: string };
    const response = await fetch(link);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    written.set(file, body);
  }
  return written;
}
