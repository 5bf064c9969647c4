/** `plugin:webview|…`: the webviews the core knows (one per connected page). */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';

export const webviewPlugin = new PluginBuilder('webview')
  .invokeHandler({
    get_all_webviews: (_args: unknown, ctx) => callInternals(ctx).host.webviewList(),
  })
  .build();
