/**
 * `plugin:resources|close`: what `Resource.close()` of `@tauri-apps/api/core` sends. As Tauri's
 * resources plugin does, it looks in the calling webview's table, then its window's, then the
 * app's, and otherwise rejects with `The resource id <rid> is invalid.`
 */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { badResourceId } from '../../core/resources.js';
import { record, u32 } from './args.js';

export const resourcesPlugin = new PluginBuilder('resources')
  .invokeHandler({
    close: (raw: unknown, ctx) => {
      const rid = u32(record(raw, 'close', 'rid'), 'rid', 'close');
      const { connection, host } = callInternals(ctx);
      const table = host.resourceTables(connection).find((t) => t.has(rid));
      if (table === undefined) throw badResourceId(rid);
      table.close(rid);
      return null;
    },
  })
  .build();
