import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logger. Secrets never reach it: requests are logged by id, endpoint and
 * principal, never by headers or bodies; the names below are masked should one slip into an object,
 * and credential-shaped text (`Basic …`, `Bearer …`, `authorization=…` in a URL) is masked inside
 * any string, error message or stack.
 */
const SECRET_KEYS = /authorization|api-?secret|token|password|secret|ciphertext|cookie|jwt|signature|^hash$/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

const SECRET_TEXT: [RegExp, string][] = [
  [/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/gi, `$1 ${REDACTED}`],
  [/\b(authorization|api[-_]?secret|token|secret|password)=[^&\s"']+/gi, `$1=${REDACTED}`],
];

function scrub(text: string): string {
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything we log on purpose: drop it rather than pass it through unmasked.
  if (depth > MAX_DEPTH) return '[truncated]';
  if (value instanceof Error) {
    return { name: value.name, message: scrub(value.message), ...(value.stack ? { stack: scrub(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? REDACTED : redact(v, depth + 1)]));
}

const base = new Logger({ serviceName: 'lean-cloud-server', logLevel: (process.env.LCS_LOG_LEVEL as 'INFO') ?? 'INFO' });

const extras = (extra: Record<string, unknown>) => redact(extra) as Record<string, unknown>;

export const logger = {
  error: (message: string, extra: Record<string, unknown> = {}) => base.error(scrub(message), extras(extra)),
  warn: (message: string, extra: Record<string, unknown> = {}) => base.warn(scrub(message), extras(extra)),
  info: (message: string, extra: Record<string, unknown> = {}) => base.info(scrub(message), extras(extra)),
};
