import { Channel } from '@tauri-apps/api/core';
import { createClient } from 'airlock/client';
import { BaseDirectory, mkdir, readTextFile, writeTextFile } from '@tauri-apps/plugin-fs';
import { load } from '@tauri-apps/plugin-store';
// Types only: the core's commands, inferred from its handlers (src-tauri/main.ts); no code of the core comes along.
import type { AppCommands } from '../src-tauri/main.js';

// A typed client: a wrong command name, a missing argument or a wrong type is a compile error.
const client = createClient<AppCommands>();

const greetInput = document.querySelector<HTMLInputElement>('#greet-input')!;
const greetMsg = document.querySelector<HTMLElement>('#greet-msg')!;
const progressBar = document.querySelector<HTMLProgressElement>('#progress-bar')!;
const clock = document.querySelector<HTMLElement>('#clock')!;
const visits = document.querySelector<HTMLElement>('#visits')!;

// A command: src-tauri/main.ts validates the args and returns a string.
document.querySelector('#greet-form')!.addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    greetMsg.textContent = await client.greet({ name: greetInput.value }, { timeoutMs: 5000 });
  } catch (error) {
    greetMsg.textContent = `error: ${(error as { message?: string }).message ?? String(error)}`;
  }
});

// A channel: the core streams progress while the command runs.
document.querySelector('#progress-btn')!.addEventListener('click', async () => {
  const onProgress = new Channel<number>((percent) => (progressBar.value = percent));
  const seconds = await client.run_task({ onProgress });
  greetMsg.textContent = `task done in ${seconds.toFixed(1)} s`;
});

// An event: the core emits `tick` every second.
void client.listen('tick', (event) => (clock.textContent = `the core says it is ${event.payload}`));

// The store plugin: settings.json in the app data directory, saved by the core (autoSave).
// The fs plugin: a log file beside it (fs:default reads the app's directories; the capability grants writing).
async function countVisit(): Promise<void> {
  const settings = await load('settings.json');
  const count = ((await settings.get<number>('visits')) ?? 0) + 1;
  await settings.set('visits', count);
  await mkdir('', { baseDir: BaseDirectory.AppData, recursive: true });
  await writeTextFile('visits.log', `${new Date().toISOString()}\n`, { baseDir: BaseDirectory.AppData, append: true });
  const lines = (await readTextFile('visits.log', { baseDir: BaseDirectory.AppData })).trim().split('\n').length;
  visits.textContent = `visit ${count} (settings.json in the app data directory; visits.log has ${lines} lines)`;
}
void countVisit().catch((error: unknown) => (visits.textContent = `store/fs: ${String(error)}`));
