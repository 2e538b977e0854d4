import { useEffect, useState } from 'preact/hooks';
import { type Answer, api, SignedOutError } from './api';

export interface Loaded<T> {
  data?: T & Answer;
  error?: string;
}

/** Calls `endpoint` when `key` changes; a result that arrives after the page has moved on is dropped. */
export function useApi<T>(endpoint: string, body: Record<string, unknown>, key: string): Loaded<T> {
  // The answer is kept with the key it belongs to: on the render right after the key changes (and before the effect
  // below runs) the previous answer must not be shown as if it were the new one.
  const [state, setState] = useState<Loaded<T> & { for?: string }>({});
  const wanted = `${endpoint}\n${key}`;
  useEffect(() => {
    let current = true;
    api<T>(endpoint, body).then(
      (data) => current && setState({ for: wanted, data }),
      (err: unknown) => current && !(err instanceof SignedOutError) && setState({ for: wanted, error: (err as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [wanted]);
  return state.for === wanted ? { data: state.data, error: state.error } : {};
}
