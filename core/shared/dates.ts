/** QuantConnect's wire format for date-times: `YYYY-MM-DD HH:MM:SS`, UTC, no zone (contract §2). */
export function qcDate(value: Date | string | number): string {
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO-8601 UTC timestamp used inside stored items (sortable, exact). */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString();
}

export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
