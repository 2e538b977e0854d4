/** One segment of a hash route as the user meant it; a malformed escape (`%E0%A4%A`) is kept as typed instead of throwing. */
export function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}
