import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Creds } from './api';
import { apiUrl } from './api';

/**
 * What every browser test of the web console shares: Debian's chromium (headless, via playwright-core), the console
 * built once, a page that records its API calls and CSP violations, sign-in through the form, and axe-core.
 */
export const CHROMIUM = '/usr/bin/chromium';
const root = resolve(__dirname, '..', '..');
/** Screenshots of the browser tests (gitignored). */
export const artifacts = join(root, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`SKIPPED: the web console browser tests need Debian's chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it.`);
/** `describe` where chromium is installed, `describe.skip` (with the warning above) where it is not. */
export const describeBrowser = haveChromium ? describe : describe.skip;

/** The local server's origin, where the console is served. */
export const consoleBase = (): string => apiUrl().replace(/api\/v2\/$/, '');

/** Builds console/dist when it is missing or stale (scripts/build-console.mjs), and makes the artifacts folder. */
export function buildConsole(): void {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`console build failed: ${built.stderr}${built.stdout}`);
  mkdirSync(artifacts, { recursive: true });
}

export interface ConsolePage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every /api/v2/ request the page made, in order. */
  apiCalls: string[];
  /** Console messages that report a Content-Security-Policy violation. */
  cspViolations: string[];
}

export async function openBrowser(options: { width?: number; height?: number } = {}): Promise<ConsolePage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const apiCalls: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v2/')) apiCalls.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return { browser, context, page, apiCalls, cspViolations };
}

/** Opens the console and signs in through its form; resolves once the project list is shown. */
export async function signIn(page: Page, creds: Creds): Promise<void> {
  await page.goto(consoleBase());
  await page.getByLabel('User id').fill(String(creds.userId));
  await page.getByLabel('API token').fill(creds.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

let axeText: string | undefined;

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeSeriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern;
  // once per document (the console's pages change by hash).
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeText ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeText);
  }
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
