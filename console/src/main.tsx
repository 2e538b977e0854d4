import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Nav } from './nav';
import { Admin } from './pages/admin';
import { BacktestDetail } from './pages/backtest';
import { Backtests } from './pages/backtests';
import { ProjectFiles } from './pages/files';
import { Live } from './pages/live';
import { Objects } from './pages/objects';
import { OptimizationDetail } from './pages/optimization';
import { Optimizations } from './pages/optimizations';
import { Projects } from './pages/projects';
import { SignIn } from './pages/sign-in';
import { type Credentials, clearCredentials, loadCredentials } from './session';

/**
 * The console: sign-in, then hash routes `#/`, `#/projects/<id>`, `#/projects/<id>/backtests/<id>`, `…/optimizations[/<id>]`, `…/live`,
 * `…/files[/<name>]`, `#/objects[/<folder>]`, `#/admin[/members|keys|audit]`.
 */
function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Page(props: { hash: string }) {
  const parts = props.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'projects' && parts[1] && /^\d+$/.test(parts[1])) {
    const projectId = Number(parts[1]);
    if (parts[2] === 'backtests' && parts[3]) return <BacktestDetail key={parts[3]} projectId={projectId} backtestId={parts[3]} />;
    if (parts[2] === 'optimizations' && parts[3]) return <OptimizationDetail key={parts[3]} projectId={projectId} optimizationId={parts[3]} />;
    if (parts[2] === 'optimizations') return <Optimizations key={projectId} projectId={projectId} />;
    if (parts[2] === 'live') return <Live key={projectId} projectId={projectId} />;
    if (parts[2] === 'files') return <ProjectFiles projectId={projectId} file={parts[3]} />;
    return <Backtests key={projectId} projectId={projectId} />;
  }
  if (parts[0] === 'objects') return <Objects path={parts[1]} />;
  if (parts[0] === 'admin') return <Admin tab={parts[1]} />;
  return <Projects />;
}

function App() {
  const [credentials, setCredentials] = useState<Credentials | undefined>(loadCredentials);
  const hash = useHash();
  if (!credentials) return <SignIn onSignedIn={setCredentials} />;
  const signOut = () => {
    clearCredentials();
    setCredentials(undefined);
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          Lean Cloud Server
        </a>
        <Nav hash={hash} />
        <span class="muted user">user {credentials.userId}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page hash={hash} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
