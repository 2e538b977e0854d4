import { Failure, Loading, TableWrap } from '../components';
import { useApi } from '../use-api';

interface Project {
  projectId: number;
  name: string;
  language: string;
  modified: string;
}

/** Every project the user may see (projects/read with no id). */
export function Projects() {
  const { data, error } = useApi<{ projects: Project[] }>('projects/read', {}, 'all');
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;
  const projects = [...data.projects].sort((a, b) => b.modified.localeCompare(a.modified));
  return (
    <section>
      <h1>Projects</h1>
      {projects.length === 0 ? (
        <p>No projects yet. Create one with lean-cli (`lean cloud push`).</p>
      ) : (
        <TableWrap label="Projects">
          <table data-testid="projects">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Language</th>
                <th scope="col">Modified (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr key={p.projectId}>
                  <td>
                    <a href={`#/projects/${p.projectId}`}>{p.name}</a>
                  </td>
                  <td>{p.language}</td>
                  <td>{p.modified}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
