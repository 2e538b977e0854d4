import { useEffect, useState } from 'preact/hooks';
import { type Answer, api, SignedOutError } from './api';

export interface Loaded<T> {
  data?: T & Answer;
  error?: string;
}

/** Calls `endpoint` when `key` changes; a result that arrives after the page has moved on is dropped. */
export function useApi<T>(endpoint: string, body: Record<string, unknown>, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({});
  useEffect(() => {
    let current = true;
    setState({});
    api<T>(endpoint, body).then(
      (data) => current && setState({ data }),
      (err: unknown) => current && !(err instanceof SignedOutError) && setState({ error: (err as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [endpoint, key]);
  return state;
}
