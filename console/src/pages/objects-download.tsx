import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';

/** How often and how long a download job is polled (lean-cli polls every 3 s for 5 minutes). */
const POLL_MS = 1000;
const POLL_FOR_MS = 5 * 60_000;

type State = { step: 'idle' } | { step: 'building' } | { step: 'ready'; url: string } | { step: 'failed'; message: string };

/**
 * object/get is asynchronous: step 1 (keys) answers a job id, step 2 (jobId) answers `url: null`
 * until the zip is built, then a short-lived link. The link is shown for the user to follow (a
 * navigation, which the console's connect-src does not govern); the console never reads the zip.
 */
export function ObjectDownload(props: { organizationId: string; objectKey: string; name: string }) {
  const [state, setState] = useState<State>({ step: 'idle' });
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  async function start() {
    setState({ step: 'building' });
    try {
      const first = await api<{ jobId: string; url: string | null }>('object/get', { organizationId: props.organizationId, keys: [props.objectKey] });
      const until = Date.now() + POLL_FOR_MS;
      let url = first.url;
      while (!url && alive.current) {
        if (Date.now() > until) throw new Error('The download is taking too long; try again later.');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (!alive.current) return;
        url = (await api<{ url: string | null }>('object/get', { organizationId: props.organizationId, jobId: first.jobId })).url;
      }
      if (alive.current && url) setState({ step: 'ready', url });
    } catch (err) {
      if (alive.current) setState({ step: 'failed', message: (err as Error).message });
    }
  }

  return (
    <div class="download" data-testid="object-download">
      <button type="button" onClick={start} disabled={state.step === 'building'}>
        {state.step === 'building' ? 'Preparing download…' : 'Prepare download'}
      </button>
      <span aria-live="polite">
        {state.step === 'ready' && (
          <a href={state.url} download={`${props.name}.zip`} rel="noreferrer">
            Download {props.name}.zip
          </a>
        )}
      </span>
      {state.step === 'failed' && (
        <p class="error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
