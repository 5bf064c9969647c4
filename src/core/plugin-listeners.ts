/**
 * Plugin events from the page's side: `addPluginListener(plugin, event, cb)` from `@tauri-apps/api/core` sends
 * `plugin:<name>|register_listener { event, handler }` (a Channel), and `PluginListener.unregister()` sends
 * `remove_listener { event, channelId }`. In Tauri only mobile plugins implement these; Airlock gives every plugin
 * these commands (unless the plugin defines its own), gated like any command by the generated
 * `<name>:allow-register-listener` / `allow-remove-listener` permissions, and a plugin's `api.emit(event, payload)`
 * sends to those channels. `check_permissions` / `request_permissions` answer `{ <name>: 'granted' }`.
 */
import { z } from 'zod';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { type Channel, channel } from './channels.js';
import { type CommandDefinition, command, toDefinition } from './commands.js';
import type { Connection } from './connection.js';
import { callInternals } from './internal.js';

interface Entry {
  readonly conn: Connection;
  readonly channel: Channel<unknown>;
}

export class PluginListeners {
  /** plugin → event → listeners */
  readonly #byPlugin = new Map<string, Map<string, Set<Entry>>>();
  /** Listeners per page, held to `limits.maxListeners` as its event listeners are. */
  readonly #perPage = new Map<Connection, number>();
  readonly #max: number;
  readonly #report: (message: string, error: unknown) => void;

  constructor(max: number, report: (message: string, error: unknown) => void) {
    this.#max = max;
    this.#report = report;
  }

  register(plugin: string, event: string, conn: Connection, ch: Channel<unknown>): void {
    const held = this.#perPage.get(conn) ?? 0;
    if (held >= this.#max) {
      throw new AirlockError(
        ErrorCode.LIMIT_EXCEEDED,
        `webview \`${conn.label}\` has ${held} plugin listeners, the limit (limits.maxListeners); unregister the ones you no longer need`,
      );
    }
    if (!conn.open) return;
    this.#perPage.set(conn, held + 1);
    ch.keepOpen();
    const byEvent = this.#byPlugin.get(plugin) ?? new Map<string, Set<Entry>>();
    this.#byPlugin.set(plugin, byEvent);
    const set = byEvent.get(event) ?? new Set<Entry>();
    byEvent.set(event, set);
    set.add({ conn, channel: ch });
  }

  /** Removes the page's listener whose channel has `channelId`; unknown ones are ignored, as Tauri's unlisten. */
  remove(plugin: string, event: string, conn: Connection, channelId: number): void {
    const set = this.#byPlugin.get(plugin)?.get(event);
    if (set === undefined) return;
    for (const entry of set) {
      if (entry.conn === conn && entry.channel.id === channelId) {
        this.#forget(set, entry);
        entry.channel.close();
      }
    }
  }

  emit(plugin: string, event: string, payload: unknown): void {
    const set = this.#byPlugin.get(plugin)?.get(event);
    if (set === undefined) return;
    for (const entry of set) {
      if (entry.channel.closed) {
        this.#forget(set, entry);
        continue;
      }
      try {
        entry.channel.send(payload === undefined ? null : payload);
      } catch (error) {
        this.#forget(set, entry);
        this.#report(`plugin \`${plugin}\`: event \`${event}\` could not be sent to webview \`${entry.conn.label}\``, error);
      }
    }
  }

  /** Forgets every listener of a page that went away. */
  disconnected(conn: Connection): void {
    if (!this.#perPage.has(conn)) return;
    this.#perPage.delete(conn);
    for (const byEvent of this.#byPlugin.values()) {
      for (const set of byEvent.values()) for (const entry of set) if (entry.conn === conn) set.delete(entry);
    }
  }

  #forget(set: Set<Entry>, entry: Entry): void {
    if (!set.delete(entry)) return;
    const held = this.#perPage.get(entry.conn);
    if (held === undefined) return;
    if (held <= 1) this.#perPage.delete(entry.conn);
    else this.#perPage.set(entry.conn, held - 1);
  }

  /** Listeners registered right now (for stats and tests). */
  get size(): number {
    let n = 0;
    for (const byEvent of this.#byPlugin.values()) for (const set of byEvent.values()) n += set.size;
    return n;
  }

  /**
   * The commands every plugin gets unless it defines them itself. `registerListener` (the API's camelCase retry)
   * is answered by `register_listener`: the pipeline maps the one name to the other before the ACL sees it.
   */
  commandsFor(plugin: string): Map<string, CommandDefinition> {
    const commands = new Map<string, CommandDefinition>();
    commands.set(
      'register_listener',
      command(z.object({ event: z.string(), handler: channel() }), ({ event, handler }, ctx) => {
        this.register(plugin, event, callInternals(ctx).connection, handler);
        return null;
      }) as CommandDefinition,
    );
    commands.set(
      'remove_listener',
      command(z.object({ event: z.string(), channelId: z.number().int().min(0).max(0xffff_ffff) }), ({ event, channelId }, ctx) => {
        this.remove(plugin, event, callInternals(ctx).connection, channelId);
        return null;
      }) as CommandDefinition,
    );
    const granted = toDefinition('check_permissions', () => ({ [plugin]: 'granted' }));
    commands.set('check_permissions', granted);
    commands.set(
      'request_permissions',
      toDefinition('request_permissions', () => ({ [plugin]: 'granted' })),
    );
    return commands;
  }
}

/** Commands generated for every plugin (their `allow-`/`deny-` permissions are generated too). */
export const GENERATED_COMMANDS: readonly string[] = ['register_listener', 'remove_listener', 'check_permissions', 'request_permissions'];
