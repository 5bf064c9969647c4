/**
 * `airlock/plugins/clipboard-manager`: Tauri's clipboard plugin for `@tauri-apps/plugin-clipboard-manager`, on the
 * system clipboard of the machine the core runs on (the same one the browser shows), through the platform's helper:
 * xclip (or xsel) on X11, wl-clipboard on Wayland, pbcopy/pbpaste and osascript on macOS, PowerShell on Windows.
 * Images are the core's `Image` resources (`readImage()` answers a rid the page reads with `Image.rgba()`/`size()`);
 * they cross the clipboard as PNG. `clipboard-manager:default` grants nothing, as Tauri's: grant what the app needs.
 *
 * @example
 *   import clipboard from 'airlock/plugins/clipboard-manager';
 *   Builder.default().plugin(clipboard());
 *   // capability: "clipboard-manager:allow-read-text", "clipboard-manager:allow-write-text"
 *   // page: await writeText('copied'); await readText();
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { command, type InvokeContext } from '../../core/commands.js';
import { PluginBuilder } from '../../core/plugin.js';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import { ImageResource } from '../core/image.js';
import { decodeImage } from '../core/png.js';
import { globalApi } from '../shared/global-api.js';
import { type HelperCommand, runHelper, type ServingHelper } from '../shared/os-helper.js';
import { type ClipboardBackend, type ClipboardCommand, type ClipboardOp, clipboardBackend, clipboardCommand } from './commands.js';
import { encodePng } from './png-encode.js';

export interface ClipboardOptions {
  /** The helper to use instead of the one picked from the platform and `WAYLAND_DISPLAY`. */
  readonly backend?: ClipboardBackend;
  /** Environment the helpers run with (default: the core's, so `DISPLAY`/`WAYLAND_DISPLAY` are the user's). */
  readonly env?: NodeJS.ProcessEnv;
  /** A helper running longer than this is stopped, and an X11 write not seen on the clipboard by then fails (default 10 s). */
  readonly timeoutMs?: number;
}

/** arboard's text for an empty clipboard or one without the asked-for format, which Tauri's plugin passes on. */
export const CONTENT_NOT_AVAILABLE = 'The clipboard contents were not available in the requested format or the clipboard is empty.';

const fail = (message: string, cause?: unknown): AirlockError =>
  new AirlockError(ErrorCode.PLUGIN, message, cause === undefined ? {} : { cause });

class Clipboard {
  constructor(
    readonly backend: ClipboardBackend,
    readonly env: NodeJS.ProcessEnv,
    readonly timeoutMs: number,
  ) {}

  async run(op: ClipboardOp, input: Uint8Array | string | undefined, signal: AbortSignal): Promise<Buffer> {
    const deadline = Date.now() + this.timeoutMs;
    const cmd: ClipboardCommand = clipboardCommand(this.backend, op);
    let dir: string | undefined;
    let args = cmd.args;
    let stdin = input;
    if (cmd.viaFile === true) {
      dir = await mkdtemp(path.join(tmpdir(), 'airlock-clipboard-'));
      const file = path.join(dir, 'data');
      await writeFile(file, input ?? '');
      args = args.map((a) => a.replace('{file}', file));
      stdin = undefined;
    }
    try {
      const result = await runHelper(
        { ...cmd, args },
        {
          ...(stdin === undefined ? {} : { input: stdin }),
          env: this.env,
          timeoutMs: this.timeoutMs,
          signal,
          resolveOnExit: cmd.serves === true,
          watchServing: cmd.ownerHoldsOutput === true,
        },
      );
      if (result.code !== 0) {
        const why = result.stderr.toString('utf8').trim();
        if (
          cmd.output !== undefined &&
          (why === '' || /not available|no selection|nothing is copied|No suitable type|exit 3/i.test(why) || result.code === 3)
        ) {
          throw fail(CONTENT_NOT_AVAILABLE);
        }
        throw fail(`clipboard: \`${cmd.program}\` failed (exit code ${result.code})${why === '' ? '' : `: ${why.split('\n')[0]}`}`);
      }
      if (cmd.readBack !== undefined) {
        const written = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input ?? new Uint8Array());
        await this.confirm(cmd, cmd.readBack, written, result.serving, signal, deadline);
      }
      return result.stdout;
    } catch (cause) {
      if (cause instanceof AirlockError) throw cause;
      throw fail((cause as Error).message, cause);
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Done once the selection holds what was written (see `readBack`): reads it back until it gives the bytes written,
   * or until the process left serving has gone (it owned the selection and lost it to another program, which
   * answered the read). Bounded by the helper timeout; the pause between reads grows from 1 to 50 ms, and a read
   * that gets no answer within its own bound (1 s, doubling) is made again.
   */
  private async confirm(
    cmd: ClipboardCommand,
    readBack: HelperCommand,
    written: Buffer,
    serving: ServingHelper | undefined,
    signal: AbortSignal,
    deadline: number,
  ): Promise<void> {
    let ended: string | undefined;
    void serving?.ended.then((stderr) => {
      ended = stderr;
    });
    // A read that asked the owner being replaced may never be answered (the old owner exits on losing the selection
    // without replying, and the reader waits): each read has a bound of its own, doubled whenever one runs into it.
    let readBound = 1000;
    try {
      for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw fail(
            `clipboard: what \`${cmd.program}\` was given did not show up on the clipboard within ${this.timeoutMs} ms (another program may be holding the X clipboard); try again`,
          );
        }
        const goneBefore = ended;
        const bound = Math.min(left, readBound);
        const r = await runHelper(readBack, { env: this.env, timeoutMs: bound, signal }).catch((cause: unknown) => {
          if (signal.aborted || !/did not finish within/.test((cause as Error).message)) throw cause;
          readBound *= 2;
          return undefined; // unanswered: read again (or, at the deadline, the next turn says so)
        });
        if (r !== undefined && r.code === 0 && r.stdout.equals(written)) return;
        if (goneBefore !== undefined) {
          const why = goneBefore.trim().split('\n')[0] ?? '';
          if (why !== '') throw fail(`clipboard: \`${cmd.program}\` failed: ${why}`);
          return;
        }
        await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {
          throw fail(`clipboard: \`${cmd.program}\` was stopped: the call was cancelled`);
        });
      }
    } finally {
      serving?.release();
    }
  }
}

/** The bytes of `«data PNGf89504E…»`, how osascript prints clipboard data. */
function fromAppleScriptHex(text: string): Buffer {
  const hex = /«data PNGf([0-9A-Fa-f]*)»/.exec(text)?.[1];
  if (hex === undefined) throw fail(CONTENT_NOT_AVAILABLE);
  return Buffer.from(hex, 'hex');
}

const jsImage = z.union([
  z.string(),
  z.number().int().min(0),
  z.array(z.number().int().min(0).max(255)),
  z.object({ rgba: z.array(z.number().int().min(0).max(255)), width: z.number().int().positive(), height: z.number().int().positive() }),
]);

/** Tauri's `JsImage`: a file path, the rid of an `Image`, encoded PNG/ICO bytes, or raw RGBA. As PNG bytes. */
async function toPng(image: z.output<typeof jsImage>, ctx: InvokeContext): Promise<Buffer> {
  let rgba: { rgba: Uint8Array; width: number; height: number };
  try {
    if (typeof image === 'number') rgba = ctx.resources.get(image, ImageResource);
    else if (typeof image === 'string') rgba = decodeImage(await readFile(image));
    else if (Array.isArray(image)) rgba = decodeImage(Uint8Array.from(image));
    else rgba = { rgba: Uint8Array.from(image.rgba), width: image.width, height: image.height };
    return encodePng(rgba.rgba, rgba.width, rgba.height);
  } catch (cause) {
    if (AirlockError.is(cause)) throw cause;
    throw fail(`failed to read the image: ${(cause as Error).message}`, cause);
  }
}

export default function clipboardManager(options: ClipboardOptions = {}) {
  return new PluginBuilder('clipboard-manager')
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(globalApi('clipboard-manager'))
    .setup((app) => {
      app.manage(
        new Clipboard(
          clipboardBackend(process.platform, process.env, options.backend),
          options.env ?? process.env,
          options.timeoutMs ?? 10_000,
        ),
      );
    })
    .invokeHandler({
      write_text: command(z.object({ text: z.string(), label: z.string().nullish() }), async ({ text }, ctx) => {
        await ctx.state(Clipboard).run('writeText', text, ctx.signal);
        return null;
      }),
      read_text: async (_args: unknown, ctx) => {
        const clipboard = ctx.state(Clipboard);
        return (await clipboard.run('readText', undefined, ctx.signal)).toString('utf8');
      },
      write_html: command(z.object({ html: z.string(), altText: z.string().nullish() }), async ({ html }, ctx) => {
        await ctx.state(Clipboard).run('writeHtml', html, ctx.signal);
        return null;
      }),
      write_image: command(z.object({ image: jsImage }), async ({ image }, ctx) => {
        const clipboard = ctx.state(Clipboard);
        const png = await toPng(image, ctx);
        await clipboard.run('writeImage', clipboard.backend === 'windows' ? png.toString('base64') : png, ctx.signal);
        return null;
      }),
      read_image: async (_args: unknown, ctx) => {
        const clipboard = ctx.state(Clipboard);
        const out = await clipboard.run('readImage', undefined, ctx.signal);
        const cmd = clipboardCommand(clipboard.backend, 'readImage');
        const png =
          cmd.output === 'base64'
            ? Buffer.from(out.toString('latin1').trim(), 'base64')
            : cmd.output === 'applescript-hex'
              ? fromAppleScriptHex(out.toString('latin1'))
              : out;
        if (png.length === 0) throw fail(CONTENT_NOT_AVAILABLE);
        let image: { rgba: Uint8Array; width: number; height: number };
        try {
          image = decodeImage(png);
        } catch (cause) {
          throw fail(`failed to decode the clipboard image: ${(cause as Error).message}`, cause);
        }
        return ctx.resources.add(new ImageResource(image.rgba, image.width, image.height));
      },
      clear: async (_args: unknown, ctx) => {
        await ctx.state(Clipboard).run('clear', '', ctx.signal);
        return null;
      },
    })
    .build();
}
