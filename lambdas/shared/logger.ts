import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logger. Secrets never reach it: requests are logged by id, endpoint and
 * principal, never by headers or bodies; the names below are masked should one slip into an object.
 */
const SECRET_KEYS = /authorization|api-?secret|token|password|secret|ciphertext|cookie/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

const base = new Logger({ serviceName: 'lean-cloud-server', logLevel: (process.env.LCS_LOG_LEVEL as 'INFO') ?? 'INFO' });

export const logger = {
  error: (message: string, extra: Record<string, unknown> = {}) => base.error(message, redact(extra) as Record<string, unknown>),
  warn: (message: string, extra: Record<string, unknown> = {}) => base.warn(message, redact(extra) as Record<string, unknown>),
  info: (message: string, extra: Record<string, unknown> = {}) => base.info(message, redact(extra) as Record<string, unknown>),
};
