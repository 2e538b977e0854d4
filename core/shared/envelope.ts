/**
 * The QuantConnect envelope (contract §2): every answer is a JSON object with `success`;
 * failures carry `errors`, always a list of strings. Logical failures use HTTP 200, because
 * lean-cli only reads 2xx bodies and reads HTTP 500 as "invalid credentials".
 */
export type Payload = Record<string, unknown>;

export interface Envelope extends Payload {
  success: boolean;
}

export function okEnvelope(payload: Payload = {}): Envelope {
  return { ...payload, success: true };
}

export function errorEnvelope(errors: string[], extra: Payload = {}): Envelope {
  return { ...extra, success: false, errors };
}

/**
 * A value that is already JSON text (an answer kept whole in storage): `envelopeJson` writes it
 * into the answer as it is, instead of parsing it only to serialize it again. Reading an ended
 * 500-point optimization is then one copy of its text, not a walk of half a megabyte of objects.
 */
export class JsonText {
  /** Stands for the text in the envelope until it is spliced in; random, so no string a client stored can spell it. */
  readonly marker = `lcs-json-text-${crypto.randomUUID()}`;
  constructor(readonly text: string) {}
}

/**
 * The last answer each kept text was written into, by the JSON of the rest of that answer. A text
 * kept in a warm function's memory and served again (an ended optimization polled by lean-cli) is
 * then the same string each time: no new copy of half a megabyte per request, and the local
 * server writes out a string already flat instead of joining its pieces again.
 */
const written = new WeakMap<JsonText, { around: string; text: string }>();

/**
 * JSON text of an envelope whose top-level payload values may be `JsonText`. Only the top level is
 * looked at, so an ordinary answer (a 5 MB `files/read`) pays nothing beyond `JSON.stringify`.
 */
export function envelopeJson(envelope: Envelope): string {
  const kept = Object.values(envelope).filter((value) => value instanceof JsonText);
  const first = kept[0];
  if (!first) return JSON.stringify(envelope);
  const shallow: Payload = {};
  for (const [key, value] of Object.entries(envelope)) shallow[key] = value instanceof JsonText ? value.marker : value;
  const around = JSON.stringify(shallow);
  const known = written.get(first);
  if (known?.around === around) return known.text;
  // Spliced with split and join, not a regular-expression replace (a 542 KB answer took 4 ms
  // through replace): join also leaves one flat string, written out as it is on every later read.
  let text = around;
  for (const value of new Set(kept)) text = text.split(`"${value.marker}"`).join(value.text);
  written.set(first, { around, text });
  return text;
}
