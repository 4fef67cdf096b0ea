/**
 * Starts a worker thread from a module beside the caller: the compiled `.js` in a build, or the
 * `.ts` source under tests (vitest runs TypeScript), where the worker registers tsx's loader
 * before importing it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `moduleUrl` is the caller's `import.meta.url`; `name` is the worker module without extension. */
export function startWorkerThread(moduleUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const source = new URL(`./${name}.ts`, moduleUrl).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
