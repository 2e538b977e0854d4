import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { CodeBlock } from '../code-block';
import { Failure, Loading, TableWrap } from '../components';
import { ConfirmDialog } from '../confirm-dialog';
import { decodeSegment } from '../hash';
import { type Organization, useOrganization } from '../organization';
import { useApi } from '../use-api';
import { ObjectDownload } from './objects-download';

interface StoredObject {
  key: string;
  name: string;
  modified: string;
  mime: string;
  folder: boolean;
  size: number;
}
interface Listing {
  objects: StoredObject[];
  objectStorageUsedHuman: string;
  page: number;
  totalPages: number;
}
interface Properties {
  metadata: { key: string; modified: string; created: string; size: number; md5: string; mime: string; preview: string | null };
}

const folderHref = (key: string) => (key ? `#/objects/${encodeURIComponent(key)}` : '#/objects');

function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/** The organization's object store, one folder (a hash segment) at a time (object/list), with properties, download and delete. */
export function Objects(props: { path?: string }) {
  const { org, error } = useOrganization();
  const path = decodeSegment(props.path);
  if (error) return <Failure message={error} />;
  if (!org) return <Loading />;
  return <Folder key={path} org={org} path={path} />;
}

function Folder(props: { org: Organization; path: string }) {
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<StoredObject>();
  const [deleting, setDeleting] = useState<StoredObject>();
  const { data, error } = useApi<Listing>(
    'object/list',
    { organizationId: props.org.id, path: props.path || '/', page },
    `${props.org.id}:${props.path}:${page}:${version}`,
  );
  const segments = props.path.split('/').filter(Boolean);
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/objects">Object store</a>
        {segments.map((s, i) => (
          <span key={i}>
            {' / '}
            {i === segments.length - 1 ? <span>{s}</span> : <a href={folderHref(segments.slice(0, i + 1).join('/'))}>{s}</a>}
          </span>
        ))}
      </nav>
      <h1>Object store</h1>
      <p class="muted">
        Organization {props.org.name}
        {data ? `, ${data.objectStorageUsedHuman} used` : ''}
      </p>
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : data.objects.length === 0 ? (
        <p>This folder is empty.</p>
      ) : (
        <>
          <TableWrap label="Objects">
            <table data-testid="objects">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Size</th>
                  <th scope="col">Modified (UTC)</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.objects.map((o) => (
                  <tr key={o.key} data-key={o.key} aria-selected={selected?.key === o.key ? 'true' : undefined}>
                    <td>
                      {o.folder ? (
                        <a href={folderHref(o.key)}>{o.name}/</a>
                      ) : (
                        <button type="button" class="link" onClick={() => setSelected(o)}>
                          {o.name}
                        </button>
                      )}
                    </td>
                    <td>{o.folder ? 'folder' : o.mime}</td>
                    <td class="num">{o.folder ? '' : fmtBytes(o.size)}</td>
                    <td>{o.folder ? '' : o.modified}</td>
                    <td>
                      <button type="button" onClick={() => setDeleting(o)} aria-label={`Delete ${o.name}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {data.totalPages > 1 && (
            <div class="pager">
              <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span aria-live="polite">Page {page}</span>
              <button type="button" disabled={page >= data.totalPages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </div>
          )}
        </>
      )}
      {selected && <ObjectProperties key={selected.key} org={props.org} object={selected} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.folder ? 'folder' : 'object'}?`}
          confirmLabel="Delete"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api('object/delete', { organizationId: props.org.id, key: deleting.key });
            if (selected?.key === deleting.key) setSelected(undefined);
            setVersion((v) => v + 1);
          }}
        >
          <p>
            {deleting.folder ? 'The folder ' : 'The object '}
            <code>{deleting.key}</code>
            {deleting.folder ? ' and everything under it will be deleted.' : ' will be deleted.'} This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function ObjectProperties(props: { org: Organization; object: StoredObject }) {
  const { data, error } = useApi<Properties>('object/properties', { organizationId: props.org.id, key: props.object.key }, props.object.key);
  const [focus, setFocus] = useState<HTMLElement | null>(null);
  useEffect(() => focus?.focus(), [focus]);
  return (
    <section class="panel" aria-labelledby="properties-title" data-testid="object-properties">
      <h2 id="properties-title" tabIndex={-1} ref={setFocus}>
        {props.object.name}
      </h2>
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <dl class="stats">
            <div>
              <dt>Key</dt>
              <dd>{data.metadata.key}</dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>{fmtBytes(data.metadata.size)}</dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>{data.metadata.mime}</dd>
            </div>
            <div>
              <dt>MD5</dt>
              <dd class="mono">{data.metadata.md5}</dd>
            </div>
            <div>
              <dt>Created (UTC)</dt>
              <dd>{data.metadata.created}</dd>
            </div>
            <div>
              <dt>Modified (UTC)</dt>
              <dd>{data.metadata.modified}</dd>
            </div>
          </dl>
          {data.metadata.preview && (
            <>
              <h3>Preview</h3>
              <CodeBlock label="Preview">
                <code data-testid="object-preview">{data.metadata.preview}</code>
              </CodeBlock>
            </>
          )}
          <ObjectDownload organizationId={props.org.id} objectKey={props.object.key} name={props.object.name} />
        </>
      )}
    </section>
  );
}
