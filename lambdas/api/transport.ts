import type { APIGatewayProxyEvent } from 'aws-lambda';
import type busboy from 'busboy';
import type { IParseOptions } from 'qs';
// The parser module alone (what qs.parse is): qs's index also loads its stringifier, which no
// function uses (5 KB of every bundle).
import parseQs from 'qs/lib/parse';
import { InvalidError } from '../../core/shared/errors';
import { BINARY_BODY_BYTES } from '../../core/shared/payload-limits';

/**
 * Turns whatever a client sent into one parameter map (contract §2): the query string, a JSON
 * body, an empty body, a form with PHP-style bracket keys (lean-cli's `files[0][name]`), or
 * multipart (object store uploads). Body fields win over query fields of the same name.
 */
export type Params = Record<string, unknown>;

/** An uploaded multipart file part. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

// lean-cli sends every project file as two form keys; qs's defaults (20 array items,
// 1000 keys) would silently turn large pushes into objects or drop keys.
const FORM_FIELDS_MAX = 100_000;
const FORM_OPTIONS: IParseOptions = { arrayLimit: 10_000, parameterLimit: FORM_FIELDS_MAX, depth: 8, allowDots: false };

/**
 * A query string or form body in PHP-style bracket notation, as one parameter map. qs drops the
 * fields beyond its parameter limit without a word (a projectId sent last would vanish), so a
 * longer form is refused instead: qs counts every `&`-separated part, empty ones included.
 */
function parseForm(text: string): Params {
  let fields = 1;
  for (let at = text.indexOf('&'); at !== -1 && fields <= FORM_FIELDS_MAX; at = text.indexOf('&', at + 1)) fields++;
  if (fields > FORM_FIELDS_MAX) throw new InvalidError(`request: the form has more than ${FORM_FIELDS_MAX} fields`);
  return parseQs(text, FORM_OPTIONS) as Params;
}

export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export function queryParams(event: Pick<APIGatewayProxyEvent, 'multiValueQueryStringParameters' | 'queryStringParameters'>): Params {
  const search = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [key, values] of Object.entries(multi)) for (const v of values ?? []) search.append(key, v);
  } else {
    for (const [key, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) search.append(key, v);
  }
  return parseForm(search.toString());
}

function rawBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function parseJson(text: string): Params {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidError('request: body is not valid JSON');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidError('request: body must be a JSON object');
  }
  return value as Params;
}

/** Multipart is rare (object store uploads): the parser loads on the first such body, not at every cold start. */
let multipartParser: Promise<typeof busboy> | undefined;

async function parseMultipart(body: Buffer, contentType: string): Promise<Params> {
  multipartParser ??= import('busboy').then((m) => m.default);
  const busboy = await multipartParser;
  return new Promise((resolve, reject) => {
    const fields: string[] = [];
    // A Map, so a part named `__proto__` is kept as data instead of becoming the prototype.
    const files = new Map<string, UploadedFile>();
    let settled = false;
    const fail = (reason = 'malformed multipart body') => {
      if (settled) return;
      settled = true;
      reject(new InvalidError(`request: ${reason}`));
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fields: 10_000, files: 100, fieldSize: BINARY_BODY_BYTES } });
    } catch {
      fail();
      return;
    }
    parser.on('field', (name, value, info) => {
      // busboy cuts over-long values silently; a cut value must not be stored as if complete.
      if (info.nameTruncated || info.valueTruncated) fail(`multipart field '${name.slice(0, 100)}' is too large`);
      fields.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A body that ends inside a file part errors the part's stream; unhandled, that error
      // would crash the process (the local server) or the function.
      stream.on('error', () => fail());
      stream.on('limit', () => fail(`multipart file '${name.slice(0, 100)}' is too large`));
      stream.on('end', () => {
        files.set(name, { filename: info.filename ?? name, contentType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) parser.on(limit, () => fail('multipart body has too many parts'));
    parser.on('error', () => fail());
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      try {
        resolve({ ...parseForm(fields.join('&')), ...Object.fromEntries(files) });
      } catch (err) {
        reject(err);
      }
    });
    parser.end(body);
  });
}

export async function bodyParams(event: APIGatewayProxyEvent): Promise<Params> {
  const body = rawBody(event);
  if (body.length === 0) return {};
  const contentType = headerValue(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'multipart/form-data') return parseMultipart(body, contentType);
  const text = body.toString('utf8');
  if (mediaType === 'application/x-www-form-urlencoded') return parseForm(text);
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return parseJson(text);
  // No or an unknown content type: JSON when it looks like JSON, else a form.
  return text.trimStart().startsWith('{') ? parseJson(text) : parseForm(text);
}

export async function requestParams(event: APIGatewayProxyEvent): Promise<Params> {
  return { ...queryParams(event), ...(await bodyParams(event)) };
}

/**
 * The endpoint named by a request path: `/api/v2//projects/read/` → `projects/read`.
 * Tolerates trailing and doubled slashes (contract §2) and a stage or base-path prefix.
 */
export function endpointFromPath(path: string): string {
  const clean = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const v2 = clean.indexOf('v2');
  const rest = v2 >= 0 && clean[v2 - 1] === 'api' ? clean.slice(v2 + 1) : clean;
  return rest.join('/').toLowerCase();
}
