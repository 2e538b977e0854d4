/**
 * The web console's security headers: one source for local mode (local/console-files.ts sends them
 * with every console file) and for AWS (lib/stacks/console-stack.ts puts them in the CloudFront
 * response-headers policy). The console runs no code but its own build, loads nothing from
 * elsewhere and cannot be framed; it calls its own origin (the API is served beside it, under
 * /api/v2/, in both modes) and, when it signs in with an OIDC issuer, that issuer's token endpoint.
 */
export function consoleContentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header but the CSP, by lower-case name. */
export const CONSOLE_OTHER_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** The headers of a console answer; `connect` adds origins the console may call (an OIDC token endpoint). */
export function consoleSecurityHeaders(connect: readonly string[] = []): Readonly<Record<string, string>> {
  return { 'content-security-policy': consoleContentSecurityPolicy(connect), ...CONSOLE_OTHER_HEADERS };
}
