import { useApi } from './use-api';

/** A project's breadcrumb and its tabs: Backtests, Optimizations, Live, Files. */
export function ProjectNav(props: { projectId: number; current: 'backtests' | 'optimizations' | 'live' | 'files'; tail?: string }) {
  const project = useApi<{ projects: { name: string }[] }>('projects/read', { projectId: props.projectId }, String(props.projectId));
  const base = `#/projects/${props.projectId}`;
  const tabs = [
    ['backtests', 'Backtests', base],
    ['optimizations', 'Optimizations', `${base}/optimizations`],
    ['live', 'Live', `${base}/live`],
    ['files', 'Files', `${base}/files`],
  ] as const;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/">Projects</a> / <a href={base}>{project.data?.projects[0]?.name ?? props.projectId}</a>
        {props.tail && <> / {props.tail}</>}
      </nav>
      <nav class="tabs" aria-label="Project">
        {tabs.map(([id, label, href]) => (
          <a key={id} href={href} aria-current={props.current === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
    </>
  );
}
