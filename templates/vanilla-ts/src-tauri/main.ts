// The app's backend — what src-tauri/src/lib.rs is in a Tauri app. `airlock dev` and `airlock run` load this file
// (no build step), build the default export with tauri.conf.json, and serve it to the windows.
import { Builder, type CommandsOf, channel, command } from 'airlock';
import fs from 'airlock/plugins/fs';
import store from 'airlock/plugins/store';
import { z } from 'zod';

// No return type: the builder's type carries every command's args and result, which the frontend reads.
export function createApp() {
  return (
    Builder.default()
      // Tauri's fs and store plugins: the page uses @tauri-apps/plugin-fs and @tauri-apps/plugin-store unchanged.
      .plugin(fs())
      .plugin(store())
      .invokeHandler({
        greet: command(
          z.object({ name: z.string().min(1, 'enter a name') }),
          ({ name }) => `Hello, ${name}! You've been greeted from TypeScript!`,
        ),
        run_task: command(z.object({ onProgress: channel<number>() }), async ({ onProgress }, ctx) => {
          const started = Date.now();
          for (let percent = 0; percent <= 100 && !ctx.signal.aborted; percent += 5) {
            onProgress.send(percent);
            await new Promise((r) => setTimeout(r, 50));
          }
          return (Date.now() - started) / 1000;
        }),
      })
      // Declared events: the typed client checks their payloads, and the core validates what a page emits.
      .events({ tick: z.string() })
      .setup((app) => {
        const timer = setInterval(() => app.emit('tick', new Date().toLocaleTimeString()), 1000);
        timer.unref();
      })
  );
}

const builder = createApp();
/** The commands and events as the frontend sees them: `createClient<AppCommands>()` in src/main.ts. */
export type AppCommands = CommandsOf<typeof builder>;
export default builder;
