import type { Freshness } from './realtime';

/**
 * Says honestly where a page's changing data comes from: pushed over the socket as it happens
 * (live), or re-read by polling because the socket is down, with the time of the last read (stale).
 */
export function UpdatesIndicator(props: { freshness: Freshness; pollSeconds: number; readAt?: number }) {
  const live = props.freshness === 'live';
  const at = props.readAt ? new Date(props.readAt).toISOString().slice(11, 19) : undefined;
  return (
    <p class={live ? 'updates live' : 'updates stale'} data-testid="updates" data-state={props.freshness} role="status">
      {live
        ? 'Live: changes are pushed as they happen.'
        : `Stale: live updates are unavailable; re-reading every ${props.pollSeconds} s${at ? ` (last read ${at} UTC)` : ''}.`}
    </p>
  );
}
