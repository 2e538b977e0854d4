import { createHash, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * HTTP clients for the tests. `call` sends any request; `LeanCli` speaks exactly like lean-cli
 * (contract §1.1, §2, §5.2): a fresh QuantConnect hash per request, GET with a query string for
 * its read endpoints, the bracket-key form for projects/update, JSON for the rest.
 */
export interface Creds {
  userId: number;
  token: string;
}

export interface Answer {
  status: number;
  body: Record<string, unknown> & { success?: boolean; errors?: string[] };
  text: string;
}

export function apiUrl(): string {
  const url = process.env.LCS_TEST_API_URL;
  if (!url) throw new Error('LCS_TEST_API_URL is not set: run through jest (global setup starts the server)');
  return url;
}

export function qcHeaders(creds: Creds, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const hash = createHash('sha256').update(`${creds.token}:${timestamp}`).digest('hex');
  return { Authorization: `Basic ${Buffer.from(`${creds.userId}:${hash}`).toString('base64')}`, Timestamp: String(timestamp) };
}

export type FormPairs = [string, string | number][];

export interface CallOptions {
  method?: 'GET' | 'POST' | string;
  json?: unknown;
  form?: FormPairs;
  multipart?: FormData;
  rawBody?: string | Buffer;
  contentType?: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** Credentials for the QuantConnect hash; omit to send none (or set headers yourself). */
  creds?: Creds;
  path?: string;
  /** The API base (`http://host:port/api/v2/`); the shared test server's when omitted. */
  base?: string;
}

export async function call(endpoint: string, options: CallOptions = {}): Promise<Answer> {
  const base = options.path ?? `${options.base ?? apiUrl()}${endpoint}`;
  const url = options.query ? `${base}?${new URLSearchParams(Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]))}` : base;
  const headers: Record<string, string> = { 'User-Agent': 'Lean CLI 99999999', ...(options.creds ? qcHeaders(options.creds) : {}), ...options.headers };
  let body: RequestInit['body'];
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.form) {
    body = new URLSearchParams(options.form.map(([k, v]): [string, string] => [k, String(v)])).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.multipart) {
    body = options.multipart;
  } else if (options.rawBody !== undefined) {
    body = options.rawBody as RequestInit['body'];
    if (options.contentType) headers['Content-Type'] = options.contentType;
  }
  const method = options.method ?? (body === undefined && options.query ? 'GET' : 'POST');
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed, text };
}

/**
 * Deletes a new project's starter files (main.py and research.ipynb for Python), for tests that
 * need to know a project's exact file set.
 */
export async function removeStarterFiles(projectId: number, creds: Creds, language: 'Py' | 'C#' = 'Py'): Promise<void> {
  for (const name of language === 'Py' ? ['main.py', 'research.ipynb'] : ['Main.cs', 'Research.ipynb']) {
    const answer = await call('files/delete', { json: { projectId, name }, creds });
    if (answer.body.success !== true) throw new Error(`files/delete ${name} failed: ${answer.text}`);
  }
}

export interface PushedFile {
  name: string;
  content: string;
}

/** The requests lean-cli makes, in lean-cli's exact forms. */
export class LeanCli {
  constructor(
    readonly creds: Creds,
    readonly organizationId: string,
    /** Another server than the shared test server (tests that start their own). */
    readonly base?: string,
  ) {}

  private send(endpoint: string, options: CallOptions): Promise<Answer> {
    return call(endpoint, { ...options, base: this.base });
  }

  authenticate() {
    return this.send('authenticate', { method: 'GET', creds: this.creds });
  }

  listOrganizations() {
    return this.send('organizations/list', { json: {}, creds: this.creds });
  }

  readOrganization() {
    return this.send('organizations/read', { json: { organizationId: this.organizationId }, creds: this.creds });
  }

  createProject(name: string, language: 'Py' | 'C#' = 'Py') {
    return this.send('projects/create', { json: { name, language, organizationId: this.organizationId }, creds: this.creds });
  }

  readProject(projectId: number) {
    return this.send('projects/read', { method: 'GET', query: { projectId, organizationId: this.organizationId }, creds: this.creds });
  }

  listProjects() {
    return this.send('projects/read', { method: 'GET', query: { organizationId: this.organizationId }, creds: this.creds });
  }

  encryptionKeys() {
    return this.send('organizations/encryption/keys/list/', { json: { organizationId: this.organizationId }, creds: this.creds });
  }

  /** `lean cloud push`: the whole file set, parameters and libraries in one form (contract §3.3). */
  push(projectId: number, project: { name: string; description?: string; files: PushedFile[]; parameters?: Record<string, string>; libraries?: number[] }) {
    const form: FormPairs = [
      ['projectId', projectId],
      ['name', project.name],
      ['description', project.description ?? ''],
    ];
    const params = Object.entries(project.parameters ?? {});
    if (params.length === 0) form.push(['parameters', '']);
    params.forEach(([key, value], i) => {
      form.push([`parameters[${i}][key]`, key], [`parameters[${i}][value]`, value]);
    });
    project.files.forEach((f, i) => {
      form.push([`files[${i}][name]`, f.name], [`files[${i}][content]`, f.content]);
    });
    (project.libraries ?? []).forEach((id, i) => {
      form.push([`libraries[${i}]`, id]);
    });
    form.push(['encryptionKey', ''], ['codeSourceId', 'cli']);
    return this.send('projects/update', { form, creds: this.creds });
  }

  readFiles(projectId: number) {
    return this.send('files/read', { method: 'GET', query: { projectId }, creds: this.creds });
  }

  readFile(projectId: number, name: string) {
    return this.send('files/read', { method: 'GET', query: { projectId, name }, creds: this.creds });
  }

  deleteProject(projectId: number) {
    return this.send('projects/delete', { json: { projectId }, creds: this.creds });
  }

  nodes() {
    return this.send('nodes/read', { json: { organizationId: this.organizationId }, creds: this.creds });
  }

  compile(projectId: number) {
    return this.send('compile/create', { json: { projectId }, creds: this.creds });
  }

  readCompile(projectId: number, compileId: string) {
    return this.send('compile/read', { method: 'GET', query: { projectId, compileId }, creds: this.creds });
  }

  /** `lean cloud backtest`: JSON with lean-cli's requestSource and optional parameters. */
  createBacktest(projectId: number, compileId: string, backtestName: string, parameters?: Record<string, string>) {
    return this.send('backtests/create', {
      json: { projectId, compileId, backtestName, requestSource: 'CLI 1.0.220', ...(parameters ? { parameters } : {}) },
      creds: this.creds,
    });
  }

  readBacktest(projectId: number, backtestId: string) {
    return this.send('backtests/read', { method: 'GET', query: { projectId, backtestId }, creds: this.creds });
  }

  /** Ctrl-C during `lean cloud backtest`. */
  deleteBacktest(projectId: number, backtestId: string) {
    return this.send('backtests/delete', { json: { projectId, backtestId }, creds: this.creds });
  }
}

/** An RS256 JWT signed with the test issuer's key (served by the global setup's JWKS). */
export function signJwt(claims: Record<string, unknown>, options: { key?: string; kid?: string } = {}): string {
  const key = options.key ?? readFileSync(process.env.LCS_TEST_JWT_KEY_FILE as string, 'utf8');
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? 'test-key' };
  const payload = { iss: process.env.LCS_TEST_JWT_ISSUER, aud: process.env.LCS_TEST_JWT_AUDIENCE, iat: now, exp: now + 600, email_verified: true, ...claims };
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}
