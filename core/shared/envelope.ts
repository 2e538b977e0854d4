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
  constructor(readonly text: string) {}
}

/**
 * JSON text of an envelope whose top-level payload values may be `JsonText`. Only the top level is
 * looked at, so an ordinary answer (a 5 MB `files/read`) pays nothing beyond `JSON.stringify`.
 */
export function envelopeJson(envelope: Envelope): string {
  if (!Object.values(envelope).some((value) => value instanceof JsonText)) return JSON.stringify(envelope);
  // A random marker per answer: no string a client stored can spell it.
  const marker = `lcs-json-text-${crypto.randomUUID()}`;
  const kept: string[] = [];
  const shallow: Payload = {};
  for (const [key, value] of Object.entries(envelope)) {
    if (value instanceof JsonText) {
      shallow[key] = marker;
      kept.push(value.text);
    } else shallow[key] = value;
  }
  // Spliced in by concatenation, not a regular-expression replace: the kept text is not copied
  // here (a 542 KB answer took 4 ms through replace), only when the answer is finally written out.
  const parts = JSON.stringify(shallow).split(`"${marker}"`);
  let text = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) text += (kept[i - 1] ?? 'null') + parts[i];
  return text;
}
