import { useEffect, useRef, useState } from 'preact/hooks';
import { api, SignedOutError } from '../api';
import { Failure } from '../components';

/**
 * What a user with write permission on the project may do to a running deployment: Stop and
 * Liquidate (each after a confirmation in a modal <dialog>), and sending a JSON command to the
 * algorithm (live/commands/create). The page leaves these out for anyone else; the API refuses
 * them anyway (core/domain/live/live-service.ts asks for write permission).
 */
type Action = { endpoint: 'live/update/stop' | 'live/update/liquidate'; label: string; text: string };

const ACTIONS: Record<'stop' | 'liquidate', Action> = {
  stop: { endpoint: 'live/update/stop', label: 'Stop the algorithm', text: 'LEAN stops; open positions stay as they are.' },
  liquidate: { endpoint: 'live/update/liquidate', label: 'Liquidate and stop', text: 'Every position is closed at market, then LEAN stops.' },
};

export function LiveControls(props: { projectId: number; onDone: () => void }) {
  const [pending, setPending] = useState<Action>();
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const run = async (action: Action) => {
    setPending(undefined);
    try {
      await api(action.endpoint, { projectId: props.projectId });
      setMessage({ ok: `${action.label}: sent.` });
    } catch (err) {
      if (!(err instanceof SignedOutError)) setMessage({ error: (err as Error).message });
    }
    props.onDone();
  };
  return (
    <div class="live-controls">
      <div class="actions">
        <button type="button" class="danger" onClick={() => setPending(ACTIONS.stop)}>
          Stop
        </button>
        <button type="button" class="danger" onClick={() => setPending(ACTIONS.liquidate)}>
          Liquidate
        </button>
      </div>
      {message.ok && (
        <p class="muted" role="status">
          {message.ok}
        </p>
      )}
      {message.error && <Failure message={message.error} />}
      {pending && <Confirm action={pending} onConfirm={() => run(pending)} onCancel={() => setPending(undefined)} />}
    </div>
  );
}

function Confirm(props: { action: Action; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" aria-describedby="confirm-text" onCancel={props.onCancel} class="confirm">
      <h2 id="confirm-title">{props.action.label}?</h2>
      <p id="confirm-text">{props.action.text}</p>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.action.label}
        </button>
      </div>
    </dialog>
  );
}

/** A JSON object sent to the algorithm as a command; LEAN acknowledges it in the log. */
export function CommandBox(props: { projectId: number; onDone: () => void }) {
  const [text, setText] = useState('{"text": "hello"}');
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const send = async (event: Event) => {
    event.preventDefault();
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch {
      return setMessage({ error: 'The command is not valid JSON.' });
    }
    if (!command || typeof command !== 'object' || Array.isArray(command)) return setMessage({ error: 'The command must be a JSON object.' });
    try {
      await api('live/commands/create', { projectId: props.projectId, command });
      setMessage({ ok: 'Command sent; LEAN acknowledges it in the log.' });
      props.onDone();
    } catch (err) {
      if (!(err instanceof SignedOutError)) setMessage({ error: (err as Error).message });
    }
  };
  return (
    <form class="command" onSubmit={send}>
      <label>
        Command (a JSON object)
        <textarea rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} spellcheck={false} />
      </label>
      <button type="submit">Send command</button>
      {message.ok && (
        <p class="muted" role="status">
          {message.ok}
        </p>
      )}
      {message.error && <Failure message={message.error} />}
    </form>
  );
}
