/**
 * `airlock/plugins/dialog`: Tauri's dialog plugin for `@tauri-apps/plugin-dialog`, shown by the OS of the machine the
 * core runs on: zenity (or kdialog) on Linux, osascript on macOS, PowerShell on Windows. `open`/`save` answer
 * absolute paths (or `null` when cancelled) and, as Tauri's, add what was picked to the fs plugin's scope and to the
 * asset protocol's scope, so the page can read the file without an fs grant. `message` answers the label clicked
 * (`ask`/`confirm` of the guest compare it); where no helper can show a dialog (none installed, no display), a
 * message is drawn in the calling page instead, and a file dialog fails with an `unsupported:` error. The init
 * script replaces `window.alert` and `window.confirm` as Tauri's does.
 *
 * @example
 *   import dialog from 'airlock/plugins/dialog';
 *   Builder.default().plugin(dialog());
 *   // page: const file = await open({ filters: [{ name: 'Text', extensions: ['txt'] }] });
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { command, type InvokeContext } from '../../core/commands.js';
import type { AppHandle } from '../../core/handle.js';
import { PluginBuilder } from '../../core/plugin.js';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import { allowFsPath } from '../fs/index.js';
import { globalApi } from '../shared/global-api.js';
import { missingHelperText, runHelper } from '../shared/os-helper.js';
import {
  type Buttons,
  type DialogBackend,
  type FileDialogRequest,
  fileDialogCommand,
  type MessageKind,
  type MessageRequest,
  messageAnswer,
  messageCommand,
  parseButtons,
} from './commands.js';
import { DIALOG_INIT_SCRIPT } from './init.js';

export interface DialogOptions {
  /**
   * The helper to use; default: zenity, else kdialog, on Linux (when a display is set), osascript on macOS, PowerShell
   * on Windows. `'in-window'` draws message dialogs in the page and refuses file dialogs.
   */
  readonly backend?: DialogBackend | 'in-window';
  /** Environment the helpers run with (default: the core's, so `DISPLAY`/`WAYLAND_DISPLAY` are the user's). */
  readonly env?: NodeJS.ProcessEnv;
  /** An in-window dialog the page has not reported drawn within this long fails the call (default 10 s). */
  readonly inWindowShownWithinMs?: number;
}

const fail = (message: string, cause?: unknown): AirlockError =>
  new AirlockError(ErrorCode.PLUGIN, message, cause === undefined ? {} : { cause });

/** Is `program` an executable on `PATH`? */
function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      if (statSync(path.join(dir, program)).isFile()) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The helper this machine can show dialogs with, or undefined. */
export function pickBackend(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): DialogBackend | undefined {
  if (platform === 'darwin') return 'osascript';
  if (platform === 'win32') return 'powershell';
  if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return undefined;
  if (onPath('zenity', env)) return 'zenity';
  if (onPath('kdialog', env)) return 'kdialog';
  return undefined;
}

/** What GTK, Qt and Xlib helpers print when DISPLAY / WAYLAND_DISPLAY name nothing reachable. */
const NO_DISPLAY = /cannot open display|can't open display|could not connect to display|failed to connect to wayland/i;

/** Message dialogs waiting for the page that draws them. */
class InWindow {
  readonly pending = new Map<string, { webview: string; labels: readonly string[]; shown: () => void; resolve: (label: string) => void }>();
  constructor(readonly shownWithinMs: number) {}
}

class Dialogs {
  constructor(
    readonly backend: DialogBackend | undefined,
    readonly env: NodeJS.ProcessEnv,
  ) {}
}

const filter = z.object({ name: z.string(), extensions: z.array(z.string()) });
const openOptions = z.object({
  title: z.string().nullish(),
  filters: z.array(filter).nullish(),
  defaultPath: z.string().nullish(),
  multiple: z.boolean().nullish(),
  directory: z.boolean().nullish(),
  recursive: z.boolean().nullish(),
  canCreateDirectories: z.boolean().nullish(),
});
const saveOptions = openOptions.pick({ title: true, filters: true, defaultPath: true, canCreateDirectories: true });
const kind = z
  .unknown()
  .transform((k): MessageKind => (k === 'warning' || k === 'error' ? k : 'info'))
  .optional();

/** Tauri's `set_default_path`: an existing directory is where to start; anything else is a folder and a file name. */
function startAt(defaultPath: string | null | undefined): Pick<FileDialogRequest, 'directoryPath' | 'fileName'> {
  if (defaultPath === undefined || defaultPath === null || defaultPath === '') return {};
  try {
    if (statSync(defaultPath).isDirectory()) return { directoryPath: defaultPath };
  } catch {
    // not there: a name to suggest
  }
  const dir = path.dirname(defaultPath);
  return { ...(dir === '.' ? {} : { directoryPath: dir }), fileName: path.basename(defaultPath) };
}

/** What Tauri does with a pick: the fs plugin's scope (if it is registered) and the asset protocol's scope. */
function widenScopes(app: AppHandle, picked: string, isDirectory: boolean, recursive: boolean): void {
  try {
    allowFsPath(app, picked, { directory: isDirectory, recursive });
  } catch (cause) {
    // No fs plugin: nothing to widen there (Tauri's try_fs_scope).
    if (!AirlockError.is(cause, ErrorCode.CONFIG)) throw cause;
  }
  const assets = app.assetProtocolScope();
  if (isDirectory) assets?.allowDirectory(picked, recursive);
  else assets?.allowFile(picked);
}

async function runFileDialog(ctx: InvokeContext, request: FileDialogRequest): Promise<string[] | null> {
  const { backend, env } = ctx.state(Dialogs);
  if (backend === undefined) {
    throw new AirlockError(
      ErrorCode.PLUGIN,
      'unsupported: no file dialog can be shown: install `zenity` (on Debian/Ubuntu: apt-get install zenity) or `kdialog`, and run the core in a desktop session (DISPLAY or WAYLAND_DISPLAY set)',
    );
  }
  const cmd = fileDialogCommand(backend, request);
  let result: Awaited<ReturnType<typeof runHelper>>;
  try {
    result = await runHelper(cmd, { env: { ...env, ...cmd.env }, signal: ctx.signal, timeoutMs: 2_147_483_647 });
  } catch (cause) {
    throw fail((cause as Error).message, cause);
  }
  const paths = result.stdout
    .toString('utf8')
    .split(/\r?\n/)
    .filter((p) => p !== '');
  if (result.code !== 0 || paths.length === 0) {
    const why = result.stderr.toString('utf8').trim();
    if (NO_DISPLAY.test(why)) {
      throw fail(`unsupported: no file dialog can be shown: \`${cmd.program}\` cannot reach the display (${why.split('\n')[0]})`);
    }
    // zenity and kdialog exit 1 when cancelled, osascript reports error -128; anything else is a failure.
    if (result.code === 1 || /-128/.test(why) || why === '') return null;
    throw fail(`dialog: \`${cmd.program}\` failed (exit code ${result.code}): ${why.split('\n')[0]}`);
  }
  return paths.map((p) => path.resolve(p));
}

async function showMessage(ctx: InvokeContext, request: MessageRequest): Promise<string> {
  const { backend, env } = ctx.state(Dialogs);
  if (backend !== undefined) {
    const cmd = messageCommand(backend, request);
    try {
      const r = await runHelper(cmd, { env: { ...env, ...cmd.env }, signal: ctx.signal, timeoutMs: 2_147_483_647 });
      const stderr = r.stderr.toString('utf8');
      // A display that is set but cannot be reached shows nothing: that is not the user pressing a button.
      if (r.code !== 0 && NO_DISPLAY.test(stderr)) return inWindow(ctx, request);
      return messageAnswer(backend, request.buttons, r.code, r.stdout.toString('utf8'), stderr);
    } catch (cause) {
      // A helper that vanished since start-up: draw the dialog in the page instead.
      if (!(cause instanceof Error && cause.message === missingHelperText(cmd))) throw fail((cause as Error).message, cause);
    }
  }
  return inWindow(ctx, request);
}

function inWindow(ctx: InvokeContext, request: MessageRequest): Promise<string> {
  const state = ctx.state(InWindow);
  const { pending } = state;
  const id = randomUUID();
  const { ok, cancel, extra } = request.buttons;
  const labels = [extra, cancel, ok].filter((l): l is string => l !== undefined);
  return new Promise<string>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(unseen);
      ctx.signal.removeEventListener('abort', onAbort);
      pending.delete(id);
    };
    const onAbort = (): void => {
      finish();
      reject(fail('the dialog was closed with its page'));
    };
    // The page says when it has drawn the dialog; a page that cannot (its script could not listen) is an error, not
    // a call that waits forever.
    const unseen = setTimeout(() => {
      finish();
      reject(
        fail(
          'the dialog could not be drawn in the page: the dialog plugin’s page script did not answer (it listens with core:event:allow-listen, part of core:default)',
        ),
      );
    }, state.shownWithinMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    pending.set(id, {
      webview: ctx.webview,
      labels,
      shown: () => clearTimeout(unseen),
      resolve: (label) => {
        finish();
        resolve(label);
      },
    });
    ctx.app.emitTo({ kind: 'Webview', label: ctx.webview }, 'dialog://in-window', {
      id,
      message: request.message,
      title: request.title ?? null,
      kind: request.kind,
      labels,
      dismiss: extra ?? cancel ?? ok,
    });
  });
}

const messageArgs = z.object({
  message: z.string(),
  title: z.string().nullish(),
  kind,
  buttons: z.unknown().optional(),
  okLabel: z.string().nullish(),
});
/** The older `ask`/`confirm` commands (the init script's `window.confirm` sends `confirm`): a boolean. */
const legacyArgs = z.object({
  message: z.string(),
  title: z.string().nullish(),
  kind,
  okLabel: z.string().nullish(),
  cancelLabel: z.string().nullish(),
  yesButtonLabel: z.string().nullish(),
  noButtonLabel: z.string().nullish(),
  okButtonLabel: z.string().nullish(),
  cancelButtonLabel: z.string().nullish(),
});

function legacyButtons(a: z.output<typeof legacyArgs>, yes: string, no: string): Buttons {
  const ok = a.yesButtonLabel ?? a.okButtonLabel ?? a.okLabel ?? yes;
  const cancel = a.noButtonLabel ?? a.cancelButtonLabel ?? a.cancelLabel ?? no;
  return { ok, cancel };
}

const NO_DEADLINE = { timeoutMs: 0 };

export default function dialog(options: DialogOptions = {}) {
  return new PluginBuilder('dialog')
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(DIALOG_INIT_SCRIPT)
    .jsInitScript(globalApi('dialog'))
    .setup((app) => {
      const env = options.env ?? process.env;
      const backend = options.backend === 'in-window' ? undefined : (options.backend ?? pickBackend(process.platform, env));
      app.manage(new Dialogs(backend, env));
      app.manage(new InWindow(options.inWindowShownWithinMs ?? 10_000));
    })
    .invokeHandler({
      open: command(
        z.object({ options: openOptions.nullish() }),
        async ({ options: o }, ctx) => {
          const multiple = o?.multiple === true;
          const directory = o?.directory === true;
          const picked = await runFileDialog(ctx, {
            mode: 'open',
            title: o?.title ?? undefined,
            filters: o?.filters ?? [],
            multiple,
            directory,
            ...startAt(o?.defaultPath),
          });
          if (picked === null) return null;
          for (const p of picked) widenScopes(ctx.app, p, directory, o?.recursive === true);
          return multiple ? picked : (picked[0] ?? null);
        },
        NO_DEADLINE,
      ),
      save: command(
        z.object({ options: saveOptions.nullish() }),
        async ({ options: o }, ctx) => {
          const picked = await runFileDialog(ctx, {
            mode: 'save',
            title: o?.title ?? undefined,
            filters: o?.filters ?? [],
            multiple: false,
            directory: false,
            ...startAt(o?.defaultPath),
          });
          const file = picked?.[0];
          if (file === undefined) return null;
          widenScopes(ctx.app, file, false, false);
          return file;
        },
        NO_DEADLINE,
      ),
      message: command(
        messageArgs,
        (a, ctx) => {
          const buttons = a.buttons === undefined && a.okLabel ? { ok: a.okLabel } : parseButtons(a.buttons);
          return showMessage(ctx, { message: a.message, title: a.title ?? undefined, kind: a.kind ?? 'info', buttons });
        },
        NO_DEADLINE,
      ),
      ask: command(
        legacyArgs,
        async (a, ctx) => {
          const buttons = legacyButtons(a, 'Yes', 'No');
          return (
            (await showMessage(ctx, { message: a.message, title: a.title ?? undefined, kind: a.kind ?? 'info', buttons })) === buttons.ok
          );
        },
        NO_DEADLINE,
      ),
      confirm: command(
        legacyArgs,
        async (a, ctx) => {
          const buttons = legacyButtons(a, 'Ok', 'Cancel');
          return (
            (await showMessage(ctx, { message: a.message, title: a.title ?? undefined, kind: a.kind ?? 'info', buttons })) === buttons.ok
          );
        },
        NO_DEADLINE,
      ),
      in_window_answer: command(
        z.object({ id: z.string(), answer: z.string().nullish(), shown: z.boolean().nullish() }),
        ({ id, answer, shown }, ctx) => {
          const waiting = ctx.state(InWindow).pending.get(id);
          // Only the webview the dialog was drawn in may answer it.
          if (waiting === undefined || waiting.webview !== ctx.webview) throw fail('no such dialog is waiting for an answer');
          if (shown === true) {
            waiting.shown();
            return null;
          }
          if (answer === undefined || answer === null) throw fail('in_window_answer needs `answer` (or `shown: true`)');
          if (!waiting.labels.includes(answer)) throw fail(`\`${answer}\` is not a button of this dialog`);
          waiting.resolve(answer);
          return null;
        },
      ),
    })
    .build();
}
