// The side-effect counters attack tests assert on: a command whose every run is counted, and an event whose every
// delivery to the core is counted. An attack succeeded if either moved.
import type { App, CommandMap } from 'airlock';

export interface Sentinel {
  /** Runs of the `side_effect` command. */
  readonly executed: number;
  /** `attack` events that reached a Node listener. */
  readonly events: number;
  /** `side_effect`, plus harmless `ping` and `whoami` for the legitimate page. */
  readonly commands: CommandMap;
  /** Starts counting `attack` events (call from Builder.setup). */
  watch(app: App): void;
}

export function sentinel(): Sentinel {
  let executed = 0;
  let events = 0;
  return {
    get executed() {
      return executed;
    },
    get events() {
      return events;
    },
    commands: {
      side_effect: () => ++executed,
      ping: () => 'pong',
      whoami: (_args: unknown, ctx: { webview: string }) => ctx.webview,
    },
    watch(app) {
      app.listen('attack', () => void events++);
    },
  };
}
