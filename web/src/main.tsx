/**
 * The meshlog web viewer: live access logs, failures by edge and cause, one request's hops, golden
 * signals with a service map, and what applies to each proxy. Built by `web/build.ts` into
 * `dist/web`, served by `meshlog serve` at `/`; it reads only the HTTP API.
 */
import { render } from 'preact';
import { App } from './app.js';
import './style.css';

render(<App />, document.getElementById('app')!);
