import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageSender } from '../core/ports/message-sender';

/**
 * Local mode's email and SMS (docs/live.md, "Notifications"): nothing leaves the machine; each
 * message is one JSON line appended to an outbox file under the local data folder
 * (`LCS_NOTIFY_OUTBOX`, mode 0600: it holds the addresses), where a person or a test reads it:
 * `{"at", "kind": "email" | "sms", "deployId", "to", "subject"?, "text"}`.
 */
export function outboxSender(file: string, deployId: string): MessageSender {
  const append = async (line: Record<string, unknown>) => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // One write per line (O_APPEND): lines from several runners do not interleave.
    await appendFile(file, `${JSON.stringify({ at: new Date().toISOString(), deployId, ...line })}\n`, { mode: 0o600 });
  };
  return {
    email: (to, subject, text) => append({ kind: 'email', to, subject, text }),
    sms: (to, text) => append({ kind: 'sms', to, text }),
  };
}
