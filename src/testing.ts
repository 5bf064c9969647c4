/**
 * Test helpers for apps built on Airlock (`import { connectInMemory } from 'airlock/testing'`).
 */
export { connectInMemory, type EventRecord, type InMemoryPage } from './transports/memory.js';

import { type App as AppRuntime, runtimeOf } from './core/app.js';
import type { RunningApp } from './core/handle.js';

export type { AppRuntime };

/**
 * The runtime behind an app, for tests that look at what the public `App` hides (sessions, connections, the
 * tracer). Not for application code: handlers and plugins get the public face only.
 */
export function appInternals(app: RunningApp): AppRuntime {
  return runtimeOf(app);
}
