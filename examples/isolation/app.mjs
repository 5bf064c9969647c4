// The isolation example's core: file commands over ./files, guarded by the hooks in ./dist-isolation.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Builder, command } from 'airlock';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, 'files');

/** The core still checks paths itself: the hook is a second line of defence, not the only one. */
function inside(rel) {
  const full = path.resolve(root, rel);
  if (!full.startsWith(root + path.sep)) throw { code: 'OUTSIDE', message: `${rel} is outside the files directory` };
  return full;
}

export function createApp(options = {}) {
  return Builder.default()
    .invokeHandler({
      greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`),
      read_file: command(z.object({ path: z.string() }), ({ path: rel }) => readFile(inside(rel), 'utf8')),
      delete_file: command(z.object({ path: z.string() }), async ({ path: rel }) => {
        if (options.dryRun) return `would delete ${rel}`;
        await rm(inside(rel));
        return `deleted ${rel}`;
      }),
      secret_admin: () => 'this command is not on the allow-list',
    })
    .build({ config: path.join(here, 'tauri.conf.json'), frontendDist: options.frontendDist ?? path.join(here, 'dist') });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { mkdir, copyFile } = await import('node:fs/promises');
  await mkdir(path.join(here, 'dist'), { recursive: true });
  await copyFile(path.join(here, 'src', 'index.html'), path.join(here, 'dist', 'index.html'));
  const app = await createApp({ dryRun: true });
  const server = await app.serve();
  console.log(`Isolation example: ${server.url('main')}`);
}
