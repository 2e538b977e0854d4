/**
 * The size limits every request and answer lives under, all derived from one number: a
 * synchronous Lambda invoke carries at most 6 MB each way (6,291,456 bytes: the whole event JSON
 * going in, the whole proxy result JSON coming out). API Gateway itself accepts 10 MB, but a body
 * only reaches the function inside the event: multipart and other binary bodies base64-encoded
 * (4 bytes for every 3), text bodies as a JSON string (quotes, backslashes and control characters
 * escaped). The answer's body is JSON text inside the result's JSON, so it is escaped a second
 * time. The local server enforces the same numbers with the same arithmetic (docs/api.md, Limits).
 */

/** Lambda's synchronous invoke payload limit, request and response alike (6 MiB). */
export const INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** API Gateway's own request limit (REST APIs): a larger request never reaches a function. */
export const GATEWAY_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * What an event holds besides its body: the headers twice (`headers` and `multiValueHeaders`, API
 * Gateway caps them at 10 KB), the query string twice, the request context. Generously rounded up.
 */
export const EVENT_RESERVE_BYTES = 64 * 1024;

/** The most a body may take inside the event (base64 text, or the JSON-escaped text): 6,225,920 bytes. */
export const EVENT_BODY_BYTES = INVOKE_PAYLOAD_BYTES - EVENT_RESERVE_BYTES;

/** The largest multipart or other binary body (whole body, parts and boundaries included): 4,669,440 bytes. */
export const BINARY_BODY_BYTES = Math.floor(EVENT_BODY_BYTES / 4) * 3;

/**
 * The most one string field of an answer may take (its answer bytes, see `answerBytes`): what is
 * left of the limit after the result's status and headers and the envelope's other fields (4 KiB).
 */
export const ANSWER_FIELD_BYTES = INVOKE_PAYLOAD_BYTES - 4 * 1024;

/**
 * A project's files as a `files/read` answer takes them (the answer bytes of every file, see
 * `answerBytes`): 5 MiB, which leaves 1 MiB of the answer for the envelope and library files.
 */
export const PROJECT_FILES_ANSWER_BYTES = 5 * 1024 * 1024;

/** The bytes a value's JSON takes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The bytes a string takes inside a Lambda proxy result: a JSON string in the answer body, which is
 * itself a JSON string in the result (a quote becomes `\\\"`, a newline `\\n`). Quotes included.
 */
export function answerBytes(text: string): number {
  return jsonBytes(JSON.stringify(text));
}

/** The bytes a request body takes in the event: base64 for binary media types, else a JSON string. */
export function eventBodyBytes(body: Buffer, binary: boolean): number {
  if (body.length === 0) return 0;
  return binary ? Math.ceil(body.length / 3) * 4 : jsonBytes(body.toString('utf8'));
}

/** Why a request body cannot reach a function, or undefined when it can. */
export function requestBodyRefusal(body: Buffer, binary: boolean): string | undefined {
  if (body.length > GATEWAY_REQUEST_BYTES) return `The request body is larger than API Gateway's ${GATEWAY_REQUEST_BYTES}-byte limit.`;
  const bytes = eventBodyBytes(body, binary);
  if (bytes <= EVENT_BODY_BYTES) return undefined;
  return binary
    ? `The request body is ${body.length} bytes; a multipart or binary body may be at most ${BINARY_BODY_BYTES} bytes (it reaches the function base64-encoded, within Lambda's ${INVOKE_PAYLOAD_BYTES}-byte payload limit).`
    : `The request body takes ${bytes} bytes as JSON text; at most ${EVENT_BODY_BYTES} fit in Lambda's ${INVOKE_PAYLOAD_BYTES}-byte payload limit (quotes, backslashes and control characters count twice or more).`;
}

/** Why a whole invoke payload (an event or a result) is over the limit, or undefined. */
export function payloadRefusal(value: unknown, what: 'request' | 'answer'): string | undefined {
  const bytes = jsonBytes(value);
  if (bytes <= INVOKE_PAYLOAD_BYTES) return undefined;
  return `The ${what} takes ${bytes} bytes as a Lambda ${what === 'request' ? 'event' : 'response'}, over the ${INVOKE_PAYLOAD_BYTES}-byte invoke payload limit.`;
}

/**
 * Why a proxy result is over the limit, or undefined. A body too short to reach it even if every
 * character took six bytes (a control character escaped as `\u001f`; nothing takes more) is not
 * serialized again to be measured: most answers, including a 542 KB optimization, cost nothing here.
 */
export function answerRefusal(result: { body: string }): string | undefined {
  if (result.body.length * 6 + EVENT_RESERVE_BYTES <= INVOKE_PAYLOAD_BYTES) return undefined;
  return payloadRefusal(result, 'answer');
}
