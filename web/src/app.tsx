/**
 * The viewer's frame: the navigation, the view for the current URL, and the token prompt that
 * appears when the server was started with `--auth-token` and has no (valid) token from this tab.
 */
import { useEffect, useState } from 'preact/hooks';
import { onTokenState, setToken, type TokenState, tokenState } from './api/token.js';
import { href, navigate, onLinkClick, type Route, useRoute } from './router.js';
import { FailuresView } from './views/failures-view.js';
import { LogsView } from './views/logs/logs-view.js';
import { OverviewView } from './views/overview-view.js';
import { ProxiesView } from './views/proxies-view.js';
import { RequestView } from './views/request-view.js';

const sections = [
  { view: 'logs', path: '/logs', label: 'Logs' },
  { view: 'failures', path: '/failures', label: 'Failures' },
  { view: 'overview', path: '/overview', label: 'Overview' },
  { view: 'proxies', path: '/proxies', label: 'Proxies' },
] as const;

export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<TokenState>(tokenState);
  // Each new token remounts the view, so that it asks again with it.
  const [generation, setGeneration] = useState(0);
  useEffect(() => onTokenState(setAuth), []);
  useEffect(() => {
    document.addEventListener('click', onLinkClick);
    return () => document.removeEventListener('click', onLinkClick);
  }, []);
  useEffect(() => {
    if (route.path === '/' || route.path === '') navigate('/logs', { replace: true });
  }, [route.path]);
  return (
    <div class="app">
      <nav class="top">
        <a class="brand" href={href('/logs')}>
          meshlog
        </a>
        {sections.map((s) => (
          <a key={s.view} href={href(s.path)} class={route.view === s.view ? 'active' : ''}>
            {s.label}
          </a>
        ))}
        <RequestSearch />
      </nav>
      <main key={generation}>{auth === 'none-needed' ? <CurrentView route={route} /> : null}</main>
      {auth !== 'none-needed' && <TokenPrompt rejected={auth === 'rejected'} onToken={() => setGeneration((g) => g + 1)} />}
    </div>
  );
}

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'logs':
      return <LogsView route={route} />;
    case 'failures':
      return <FailuresView route={route} />;
    case 'request':
      return <RequestView route={route} />;
    case 'overview':
      return <OverviewView route={route} />;
    case 'proxies':
      return <ProxiesView route={route} />;
    default:
      return (
        <div class="page">
          <h1>Not a view</h1>
          <p>
            <code>{route.path}</code> is none of /logs, /failures, /requests/ID, /overview, /proxies.
          </p>
        </div>
      );
  }
}

function RequestSearch() {
  const [id, setId] = useState('');
  return (
    <form
      class="request-search"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) navigate(`/requests/${encodeURIComponent(id.trim())}`);
      }}
    >
      <input name="request" placeholder="request id (x-request-id)" value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} />
    </form>
  );
}

function TokenPrompt({ rejected, onToken }: { rejected: boolean; onToken: () => void }) {
  const [value, setValue] = useState('');
  return (
    <div class="overlay">
      <form
        class="token-prompt"
        aria-label="token"
        onSubmit={(e) => {
          e.preventDefault();
          if (!value) return;
          setToken(value);
          onToken();
        }}
      >
        <h2>This server needs a token</h2>
        <p>
          It was started with <code>--auth-token</code>. The token is kept in this tab's session storage only, and sent with every API call as{' '}
          <code>Authorization: Bearer</code>.
        </p>
        {rejected && <p class="error">The server rejected that token (401).</p>}
        <input type="password" name="token" autoFocus value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} autocomplete="off" />
        <button type="submit">Use token</button>
      </form>
    </div>
  );
}
