// Starts apps for tests and cleans them up: `await using t = await startApp(builder => ...)`.
import { Builder, type App, type BuildOptions, type Limits, type Server } from 'airlock';
import { LAUNCH_FRAGMENT_KEY, SOCKET_PATH } from '../../src/protocol/frames.ts';
import { testFrontend } from './frontend.js';

export interface TestApp extends AsyncDisposable {
  readonly app: App;
  readonly server: Server;
  readonly logs: string[];
}

/** A builder whose log lines are collected instead of printed. */
export function quietBuilder(logs: string[] = []): Builder {
  return Builder.default().logger((level, message) => {
    logs.push(`${level}: ${message}`);
  });
}

/** An app with these commands and limits, no frontend and no log output (for tests that attach pages themselves). */
export const buildApp = (commands: Parameters<Builder['invokeHandler']>[0] = {}, limits: Partial<Limits> = {}): Promise<App> =>
  Builder.default()
    .logger(() => {})
    .limits(limits)
    .invokeHandler(commands)
    .build({});

export async function startApp(configure: (b: Builder) => Builder, options: BuildOptions = {}): Promise<TestApp> {
  const logs: string[] = [];
  const frontendDist = options.frontendDist ?? (await testFrontend());
  const app = await configure(quietBuilder(logs)).build({ ...options, frontendDist });
  const server = await app.serve({ port: 0 });
  return {
    app,
    server,
    logs,
    async [Symbol.asyncDispose]() {
      await app.close();
    },
  };
}

/** The one-time launch ticket in a launch URL's fragment (`server.url(label)`), or '' when there is none. */
export const ticketFrom = (url: string): string => new URLSearchParams(new URL(url).hash.slice(1)).get(LAUNCH_FRAGMENT_KEY) ?? '';

/** The IPC WebSocket's URL on a served app. */
export const socketUrl = (server: { readonly port: number }): string => `ws://127.0.0.1:${server.port}${SOCKET_PATH}`;
