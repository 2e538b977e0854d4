/** Display helpers shared by the pages. */
export function fmtNumber(value: unknown, digits = 2): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtPercent(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${fmtNumber(value, 2)}%` : '–';
}

/** LEAN's order enums (contract §4). */
export const ORDER_TYPES = [
  'Market',
  'Limit',
  'StopMarket',
  'StopLimit',
  'MarketOnOpen',
  'MarketOnClose',
  'OptionExercise',
  'LimitIfTouched',
  'ComboMarket',
  'ComboLimit',
  'ComboLegLimit',
  'TrailingStop',
];
export const ORDER_STATUSES: Record<number, string> = {
  0: 'New',
  1: 'Submitted',
  2: 'PartiallyFilled',
  3: 'Filled',
  5: 'Canceled',
  6: 'None',
  7: 'Invalid',
  8: 'CancelPending',
  9: 'UpdateSubmitted',
};
export const DIRECTIONS = ['Buy', 'Sell', 'Hold'];

/** Unix seconds or an ISO / `YYYY-MM-DD HH:MM:SS` text → `YYYY-MM-DD HH:MM:SS` (UTC). */
export function fmtTime(value: unknown): string {
  if (typeof value === 'number') return new Date(value * 1000).toISOString().slice(0, 19).replace('T', ' ');
  if (typeof value === 'string') return value.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
  return '–';
}
