import { CodeBlock } from '../code-block';
import { Failure, Loading } from '../components';
import { decodeSegment } from '../hash';
import { languageOf, tokenize } from '../highlight';
import { ProjectNav } from '../project-nav';
import { useApi } from '../use-api';

interface ProjectFile {
  name: string;
  content: string;
  modified: string;
  isLibrary: boolean;
}

const fileHref = (projectId: number, name: string) => `#/projects/${projectId}/files/${encodeURIComponent(name)}`;

/** A project's files, read-only (files/read): the list, and the chosen file (a hash segment) highlighted. */
export function ProjectFiles(props: { projectId: number; file?: string }) {
  const wanted = decodeSegment(props.file);
  const { data, error } = useApi<{ files: ProjectFile[] }>('files/read', { projectId: props.projectId }, String(props.projectId));
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;
  const files = [...data.files].sort((a, b) => Number(a.isLibrary) - Number(b.isLibrary) || a.name.localeCompare(b.name));
  const chosen = files.find((f) => f.name === wanted) ?? files.find((f) => /^main\.py$|^Main\.cs$/.test(f.name)) ?? files[0];
  return (
    <section>
      <ProjectNav projectId={props.projectId} current="files" />
      <h1>Files</h1>
      {files.length === 0 ? (
        <p>This project has no files.</p>
      ) : (
        <div class="files">
          <nav aria-label="Project files">
            <ul class="file-list" data-testid="file-list">
              {files.map((f) => (
                <li key={f.name}>
                  <a href={fileHref(props.projectId, f.name)} aria-current={f === chosen ? 'page' : undefined}>
                    {f.name}
                  </a>
                  {f.isLibrary && <span class="muted"> (library)</span>}
                </li>
              ))}
            </ul>
          </nav>
          {chosen && <FileView file={chosen} />}
        </div>
      )}
    </section>
  );
}

function FileView(props: { file: ProjectFile }) {
  const language = languageOf(props.file.name);
  return (
    <figure class="file-view">
      <figcaption>
        <strong>{props.file.name}</strong> <span class="muted">modified {props.file.modified} UTC</span>
      </figcaption>
      <CodeBlock label={`Content of ${props.file.name}`}>
        <code data-testid="file-content" data-language={language}>
          {tokenize(props.file.content, language).map((t, i) =>
            t.kind === 'text' ? (
              t.text
            ) : (
              <span key={i} class={`tok-${t.kind}`}>
                {t.text}
              </span>
            ),
          )}
        </code>
      </CodeBlock>
    </figure>
  );
}
