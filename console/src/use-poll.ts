import { useEffect, useRef, useState } from 'preact/hooks';
import { SignedOutError } from './api';

export interface Polled<T> {
  data?: T;
  error?: string;
  /** When the last answer arrived (ms since the epoch). */
  updated?: number;
  /** How many answers have arrived: a key for what must follow each one (a chart's re-read). */
  count: number;
  /** Loads again now (after a command, say). */
  reload: () => void;
}

/**
 * Calls `load` when `key` changes and then every `intervalMs` (the latest value given) while `active(data)` holds. Unlike
 * useApi, the previous answer stays shown while the next one loads, so a polled page does not blink.
 * A page keeps all its polled loading in one such `load`, so a push channel can replace the timer.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, intervalMs: number, active: (data: T) => boolean): Polled<T> {
  const [state, setState] = useState<{ for?: string; data?: T; error?: string; updated?: number; count: number }>({ count: 0 });
  const trigger = useRef<() => void>(() => {});
  // Read when the next timer is set, so a page may change its pace (slower while changes are pushed) without restarting.
  const interval = useRef(intervalMs);
  interval.current = intervalMs;
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Only the latest load schedules the next: a reload while one is in flight must not start a second chain of timers.
    let latest = 0;
    const run = async () => {
      const mine = ++latest;
      clearTimeout(timer);
      try {
        const data = await load();
        if (!alive || mine !== latest) return;
        setState((s) => ({ for: key, data, updated: Date.now(), count: (s.for === key ? s.count : 0) + 1 }));
        if (active(data)) timer = setTimeout(run, interval.current);
      } catch (err) {
        if (!alive || mine !== latest || err instanceof SignedOutError) return;
        setState((s) => ({ ...s, for: key, error: (err as Error).message }));
        timer = setTimeout(run, interval.current);
      }
    };
    trigger.current = () => void run();
    void run();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [key]);
  const mine = state.for === key;
  return {
    data: mine ? state.data : undefined,
    error: mine ? state.error : undefined,
    updated: mine ? state.updated : undefined,
    count: mine ? state.count : 0,
    reload: () => trigger.current(),
  };
}
