import { MODULES_PREFIX, marketDataStore } from '../../data/market-data/market-data-store';
import { InvalidError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { orgAccess } from '../identity/access';
import { signingWindow } from './data-service';

/**
 * LEAN modules for lean-cli (contract §3.11): the NuGet packages of brokerage and data-feed modules
 * that lean-cli installs before a local run (lean-cli `ModuleManager.install_module`: modules/list
 * for a product's file names `<Package>.<version>.nupkg`, then modules/read for each file's link,
 * which it downloads without credentials). The operator uploads them with `lcs modules push`;
 * like market data they belong to the deployment, every organisation sees the same files.
 */

/** More than any product ships; lean-cli keeps only the newest version of each package anyway. */
const MAX_FILES = 1000;

const productPrefix = (productId: number) => `${MODULES_PREFIX}${productId}/`;

/** A file name as modules/list answers it: one path segment, nothing path-like. */
function moduleFileName(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (value === '.' || value === '..' || /[/\\%\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidError('fileName: must be a file name as modules/list answers it');
  }
  return value;
}

export const moduleService = {
  /** The file names of a product's module; an empty list when the operator uploaded none. */
  async list(principal: Principal, input: { productId: number; organizationId?: string }) {
    orgAccess(principal, input.organizationId, 'viewer');
    const prefix = productPrefix(input.productId);
    const listing = await marketDataStore.list(prefix, MAX_FILES);
    return { files: listing.files.map((key) => key.slice(prefix.length)).sort() };
  },

  /** A link to one file of a product's module, valid like data/read's links. */
  async read(principal: Principal, input: { productId: number; organizationId?: string; fileName: string }) {
    orgAccess(principal, input.organizationId, 'viewer');
    const key = `${productPrefix(input.productId)}${moduleFileName(input.fileName)}`;
    if (!(await marketDataStore.head(key))) throw new NotFoundError(`Module file '${input.fileName}' of product ${input.productId}`);
    const { signingDate, expiresIn } = signingWindow();
    return { url: await marketDataStore.link(key, signingDate, expiresIn) };
  },
};
