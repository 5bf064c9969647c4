/**
 * `plugin:path|…`: what `@tauri-apps/api/path` asks (Tauri's path plugin), on the app's one
 * `PathResolver` (`ctx.app.path`): `BaseDirectory` resolution and the lexical operations with Rust's semantics.
 * Failures reject with Tauri's texts (`unknown path`, `path does not have a parent` …).
 */
import { isBaseDirectory, PathErrorText } from '../../core/paths.js';
import { PluginBuilder } from '../../core/plugin.js';
import { type Args, failed, invalid, optionalString, record, required, string, stringArray } from './args.js';

const TRAVERSAL = 'cannot traverse directory, rewrite the path without the use of `../`';

function or(value: string | undefined, text: string): string {
  if (value === undefined) throw failed(text);
  return value;
}

function args(raw: unknown, command: string, first: string): Args {
  return record(raw, command, first);
}

export const pathPlugin = new PluginBuilder('path')
  .invokeHandler({
    resolve_directory: (raw: unknown, ctx) => {
      const a = args(raw, 'resolve_directory', 'directory');
      const directory = required(a, 'directory', 'resolve_directory');
      if (!isBaseDirectory(directory))
        throw invalid('resolve_directory', 'directory', `invalid value: ${JSON.stringify(directory)}, expected a BaseDirectory (1–23)`);
      const path = optionalString(a, 'path', 'resolve_directory');
      const paths = ctx.app.path;
      if (path !== undefined && paths.ops.hasParentComponent(path)) throw invalid('resolve_directory', 'path', TRAVERSAL);
      return or(paths.resolve(directory, path), PathErrorText.unknownPath);
    },
    resolve: (raw: unknown, ctx) => ctx.app.path.ops.resolve(stringArray(args(raw, 'resolve', 'paths'), 'paths', 'resolve'), process.cwd()),
    normalize: (raw: unknown, ctx) => ctx.app.path.ops.normalize(string(args(raw, 'normalize', 'path'), 'path', 'normalize')),
    join: (raw: unknown, ctx) => ctx.app.path.ops.join(stringArray(args(raw, 'join', 'paths'), 'paths', 'join')),
    dirname: (raw: unknown, ctx) =>
      or(ctx.app.path.ops.dirname(string(args(raw, 'dirname', 'path'), 'path', 'dirname')), PathErrorText.noParent),
    extname: (raw: unknown, ctx) =>
      or(ctx.app.path.ops.extname(string(args(raw, 'extname', 'path'), 'path', 'extname')), PathErrorText.noExtension),
    basename: (raw: unknown, ctx) => {
      const a = args(raw, 'basename', 'path');
      const path = string(a, 'path', 'basename');
      return or(ctx.app.path.ops.basename(path, optionalString(a, 'ext', 'basename')), PathErrorText.noBasename);
    },
    is_absolute: (raw: unknown, ctx) => ctx.app.path.ops.isAbsolute(string(args(raw, 'is_absolute', 'path'), 'path', 'is_absolute')),
  })
  .build();
