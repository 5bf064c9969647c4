// The smallest Airlock app: a validated command, an event each way, and a channel streaming progress.
// Run it with `npm start` from the repository root; it prints the URL that opens the window.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { Builder, channel, command } from 'airlock';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

// Bundle the frontend (it imports the official @tauri-apps/api).
await build({
  entryPoints: [path.join(here, 'src', 'main.js')],
  outfile: path.join(dist, 'main.js'),
  bundle: true,
  format: 'esm',
  logLevel: 'warning',
});
await import('node:fs/promises').then((fs) => fs.copyFile(path.join(here, 'src', 'index.html'), path.join(dist, 'index.html')));

const app = await Builder.default()
  .invokeHandler({
    greet: command(z.object({ name: z.string().min(1) }), ({ name }) => `Hello, ${name}! You've been greeted from Node.js.`),
    count_to: command(z.object({ n: z.number().int().min(1).max(1000), onProgress: channel() }), async ({ n, onProgress }, ctx) => {
      for (let i = 1; i <= n && !ctx.signal.aborted; i++) {
        onProgress.send(i);
        await new Promise((r) => setTimeout(r, 20));
      }
      return n;
    }),
  })
  .setup((app) => {
    app.listen('clicked', (event) => {
      console.log(`page says: ${JSON.stringify(event.payload)}`);
      app.emit('ack', { at: new Date().toISOString() });
    });
  })
  .build({ config: path.join(here, 'tauri.conf.json') }); // capabilities/ next to it decide what the window may call

const server = await app.serve({ port: Number(process.env.PORT ?? 0) });
console.log(
  `\nAirlock example running. Open this URL in Chromium/Chrome (it works once; reloads keep the session):\n\n  ${server.url('main')}\n`,
);
process.on('SIGINT', () => app.close().then(() => process.exit(0)));
