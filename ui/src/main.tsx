import { render } from 'preact';
import { useState } from 'preact/hooks';
import { loadConfig, type DashboardConfig } from './dashboard-config.ts';
import { App } from './app-context.ts';
import { Link } from './components/link.tsx';
import { useLocation } from './router.ts';
import { DeadLettersView } from './views/dead-letters.tsx';
import { FlowView } from './views/flow.tsx';
import { JobView } from './views/job.tsx';
import { JobsView } from './views/jobs.tsx';
import { OverviewView } from './views/overview.tsx';
import { SchedulesView } from './views/schedules.tsx';
import { NotFoundView } from './views/not-found.tsx';
import './styles.css';

const NAV = [
  { to: '/', label: 'Overview', match: (p: string) => p === '/' },
  { to: '/jobs', label: 'Jobs', match: (p: string) => p.startsWith('/jobs') },
  { to: '/dlq', label: 'Dead letters', match: (p: string) => p.startsWith('/dlq') },
  { to: '/schedules', label: 'Schedules', match: (p: string) => p.startsWith('/schedules') },
];

function route(path: string) {
  if (path === '/') return <OverviewView />;
  if (path === '/jobs') return <JobsView />;
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job) return <JobView id={decodeURIComponent(job[1] ?? '')} />;
  if (path === '/dlq') return <DeadLettersView />;
  if (path === '/schedules') return <SchedulesView />;
  const flow = /^\/flows\/([^/]+)$/.exec(path);
  if (flow) return <FlowView id={decodeURIComponent(flow[1] ?? '')} />;
  return <NotFoundView />;
}

function Shell(props: { config: DashboardConfig }) {
  const { path } = useLocation();
  const [message, setMessage] = useState('');
  return (
    <App.Provider value={{ ...props.config, notify: setMessage }}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">SkyForge</span>
        <nav aria-label="Views">
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} aria-current={item.match(path) ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span class="target" title="Where the API is">
          {props.config.readOnly ? <span class="badge read-only">read-only</span> : null} {props.config.target}
        </span>
      </header>
      <p class="status-line" role="status" aria-live="polite">
        {message}
      </p>
      <main id="main" tabIndex={-1}>
        {route(path)}
      </main>
    </App.Provider>
  );
}

const root = document.getElementById('app');
if (root) {
  void loadConfig().then((config) => render(<Shell config={config} />, root));
}
