/**
 * The notification helper of each platform as an exact command line (pure, so the macOS and Windows ones are tested
 * on any machine): notify-send on Linux (libnotify), osascript's `display notification` on macOS, a WinRT toast from
 * PowerShell on Windows. The page's text is a separate argument (or an environment variable), never code.
 */
import type { HelperCommand } from '../shared/os-helper.js';

export interface NotificationRequest {
  readonly appName: string;
  readonly title: string;
  readonly body?: string | undefined;
  readonly icon?: string | undefined;
  readonly sound?: string | undefined;
}

export interface NotifyCommand extends HelperCommand {
  readonly env?: Readonly<Record<string, string>>;
}

/** The arguments notify-send gets (a replacement `command` gets the same ones). */
export function notifySendArgs(r: NotificationRequest): string[] {
  const args = [`--app-name=${r.appName}`];
  if (r.icon !== undefined) args.push(`--icon=${r.icon}`);
  args.push('--', r.title);
  if (r.body !== undefined) args.push(r.body);
  return args;
}

export function notifyCommand(platform: NodeJS.Platform, r: NotificationRequest): NotifyCommand {
  if (platform === 'darwin') {
    const lines = [
      'on run argv',
      `display notification (item 2 of argv) with title (item 1 of argv)${r.sound === undefined ? '' : ' sound name (item 3 of argv)'}`,
      'end run',
    ];
    return {
      program: 'osascript',
      args: [...lines.flatMap((l) => ['-e', l]), r.title, r.body ?? '', ...(r.sound === undefined ? [] : [r.sound])],
    };
  }
  if (platform === 'win32') {
    const script = [
      '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null',
      '$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)',
      '$x = $t.GetElementsByTagName("text")',
      '$x.Item(0).AppendChild($t.CreateTextNode($env:AIRLOCK_NOTIFY_TITLE)) > $null',
      '$x.Item(1).AppendChild($t.CreateTextNode($env:AIRLOCK_NOTIFY_BODY)) > $null',
      '[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($env:AIRLOCK_NOTIFY_APP).Show([Windows.UI.Notifications.ToastNotification]::new($t))',
    ].join('; ');
    return {
      program: 'powershell.exe',
      args: ['-NoProfile', '-NonInteractive', '-Command', script],
      env: { AIRLOCK_NOTIFY_TITLE: r.title, AIRLOCK_NOTIFY_BODY: r.body ?? '', AIRLOCK_NOTIFY_APP: r.appName },
    };
  }
  return { program: 'notify-send', args: notifySendArgs(r), debianPackage: 'libnotify-bin' };
}
