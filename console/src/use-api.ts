import { useEffect, useState } from 'preact/hooks';
import { type Answer, api, SignedOutError } from './api';

export interface Loaded<T> {
  data?: T & Answer;
  error?: string;
  /** When the data shown was read (ms), so a page can say how old it is. */
  readAt?: number;
}

/**
 * Calls `endpoint` when `key` changes, and again every `refreshMs` while that is set (the polling a
 * page falls back to when pushed updates are down, realtime.ts); a result that arrives after the
 * page has moved on is dropped. A refresh keeps showing the previous answer until the new one arrives.
 */
export function useApi<T>(endpoint: string, body: Record<string, unknown>, key: string, refreshMs?: number): Loaded<T> {
  // The answer is kept with the key it belongs to: on the render right after the key changes (and before the effect
  // below runs) the previous answer must not be shown as if it were the new one.
  const [state, setState] = useState<Loaded<T> & { for?: string }>({});
  const [tick, setTick] = useState(0);
  const wanted = `${endpoint}\n${key}`;
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  useEffect(() => {
    let current = true;
    api<T>(endpoint, body).then(
      (data) => current && setState({ for: wanted, data, readAt: Date.now() }),
      (err: unknown) => current && !(err instanceof SignedOutError) && setState({ for: wanted, error: (err as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [wanted, tick]);
  return state.for === wanted ? { data: state.data, error: state.error, readAt: state.readAt } : {};
}
