import { useState } from 'preact/hooks';
import { Failure, Loading, TableWrap } from '../components';
import { fmtTime } from '../format';
import type { Organization } from '../organization';
import { useApi } from '../use-api';

interface AuditEvent {
  at: string;
  userId: number;
  action: string;
  target: string | null;
  authMethod: string;
  sourceIp: string;
  requestId: string;
  detail: Record<string, unknown> | null;
}

interface Filters {
  userId?: string;
  action?: string;
  resource?: string;
  from?: string;
  to?: string;
}

const PAGE = 25;
const FIELDS = ['userId', 'action', 'resource', 'from', 'to'] as const;

/** The organization's audit log (admin/audit/read), newest first, filtered and paged. */
export function AuditLog(props: { org: Organization }) {
  const [filters, setFilters] = useState<Filters>({});
  const [start, setStart] = useState(0);
  const { data, error } = useApi<{ events: AuditEvent[]; more: boolean }>(
    'admin/audit/read',
    { organizationId: props.org.id, ...filters, start, count: PAGE },
    JSON.stringify([props.org.id, filters, start]),
  );

  function apply(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next: Filters = {};
    for (const field of FIELDS) {
      const value = String(form.get(field) ?? '').trim();
      if (value) next[field] = value;
    }
    setFilters(next);
    setStart(0);
  }

  return (
    <>
      <h2>Audit log</h2>
      <form class="filters" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Actor (user id)
          <input name="userId" inputMode="numeric" pattern="\d*" />
        </label>
        <label>
          Action
          <input name="action" placeholder="e.g. admin/keys/create" />
        </label>
        <label>
          Resource
          <input name="resource" placeholder="e.g. project/12, key/lcs_…" />
        </label>
        <label>
          From (UTC)
          <input name="from" type="date" />
        </label>
        <label>
          To (UTC)
          <input name="to" type="date" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : data.events.length === 0 ? (
        <p data-testid="audit-empty">No events.</p>
      ) : (
        <div data-testid="audit" data-start={start}>
          <TableWrap label="Audit events">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Via</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {data.events.map((e) => (
                  <tr key={e.requestId}>
                    <td>{fmtTime(e.at)}</td>
                    <td class="num">{e.userId}</td>
                    <td>{e.action}</td>
                    <td>{e.target ?? '–'}</td>
                    <td>{e.authMethod}</td>
                    <td class="detail">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <div class="pager">
            <button type="button" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE))}>
              Previous
            </button>
            <span aria-live="polite">
              {start + 1}–{start + data.events.length}
            </span>
            <button type="button" disabled={!data.more} onClick={() => setStart(start + PAGE)}>
              Next
            </button>
          </div>
        </div>
      )}
    </>
  );
}
