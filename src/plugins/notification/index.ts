/**
 * `airlock/plugins/notification`: Tauri's notification plugin for `@tauri-apps/plugin-notification`. As in Tauri, the
 * init script replaces `window.Notification` with a shim, so the guest's `sendNotification()` sends
 * `plugin:notification|notify` and the core shows the notification as the app: notify-send on Linux, osascript on
 * macOS, a toast from PowerShell on Windows. A desktop never prompts: `isPermissionGranted()` is true and
 * `requestPermission()` is `'granted'` (Tauri's desktop answers). The commands of mobile platforms answer as a desktop
 * with nothing pending. `command` replaces the system notifier (tests record with it).
 *
 * @example
 *   import notification from 'airlock/plugins/notification';
 *   Builder.default().plugin(notification());
 *   // page: if (await isPermissionGranted()) sendNotification({ title: 'Done', body: 'Export finished' });
 */
import { z } from 'zod';
import { command, type InvokeContext } from '../../core/commands.js';
import { PluginBuilder } from '../../core/plugin.js';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import { globalApi } from '../shared/global-api.js';
import { runHelperOk } from '../shared/os-helper.js';
import { notificationInitScript } from './init.js';
import { notifyCommand, notifySendArgs } from './commands.js';

export interface NotificationOptions {
  /**
   * Runs instead of the system notifier: program and leading arguments, then notify-send's arguments
   * (`--app-name=<productName>`, `--icon=<icon>` if given, `--`, title, body). Tests record with it.
   */
  readonly command?: readonly string[] | undefined;
  /** A notifier running longer than this is stopped (default 10 s). */
  readonly timeoutMs?: number;
}

const notificationData = z.object({
  title: z.string().nullish(),
  body: z.string().nullish(),
  icon: z.string().nullish(),
  sound: z.string().nullish(),
});

class Notifier {
  constructor(
    readonly options: NotificationOptions,
    readonly appName: string,
  ) {}

  async show(data: z.output<typeof notificationData>, ctx: InvokeContext): Promise<null> {
    const request = {
      appName: this.appName,
      title: data.title ?? this.appName,
      body: data.body ?? undefined,
      icon: data.icon ?? undefined,
      sound: data.sound ?? undefined,
    };
    const [program, ...leading] = this.options.command ?? [];
    const cmd =
      program === undefined ? notifyCommand(process.platform, request) : { program, args: [...leading, ...notifySendArgs(request)] };
    try {
      await runHelperOk(cmd, {
        timeoutMs: this.options.timeoutMs ?? 10_000,
        signal: ctx.signal,
        ...('env' in cmd && cmd.env !== undefined ? { env: { ...process.env, ...cmd.env } } : {}),
      });
    } catch (cause) {
      throw new AirlockError(ErrorCode.PLUGIN, (cause as Error).message, { cause });
    }
    return null;
  }
}

const none = (): null => null;
const nothing = (): never[] => [];

export default function notification(options: NotificationOptions = {}) {
  return new PluginBuilder('notification')
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(notificationInitScript(process.platform === 'win32'))
    .jsInitScript(globalApi('notification'))
    .setup((app) => {
      app.manage(new Notifier(options, app.config.productName));
    })
    .invokeHandler({
      is_permission_granted: () => true,
      request_permission: () => 'granted',
      permission_state: () => 'granted',
      notify: command(z.object({ options: notificationData }), ({ options: data }, ctx) => ctx.state(Notifier).show(data, ctx)),
      show: command(notificationData, (data, ctx) => ctx.state(Notifier).show(data, ctx)),
      batch: command(z.object({ notifications: z.array(notificationData) }), async ({ notifications }, ctx) => {
        for (const data of notifications) await ctx.state(Notifier).show(data, ctx);
        return null;
      }),
      register_action_types: none,
      cancel: none,
      remove_active: none,
      create_channel: none,
      delete_channel: none,
      get_pending: nothing,
      get_active: nothing,
      list_channels: nothing,
    })
    .build();
}
