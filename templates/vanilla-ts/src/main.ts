import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

const greetInput = document.querySelector<HTMLInputElement>('#greet-input')!;
const greetMsg = document.querySelector<HTMLElement>('#greet-msg')!;
const progressBar = document.querySelector<HTMLProgressElement>('#progress-bar')!;
const clock = document.querySelector<HTMLElement>('#clock')!;

// A command: src-tauri/main.ts validates the args and returns a string.
document.querySelector('#greet-form')!.addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    greetMsg.textContent = await invoke<string>('greet', { name: greetInput.value });
  } catch (error) {
    greetMsg.textContent = `error: ${(error as { message?: string }).message ?? String(error)}`;
  }
});

// A channel: the core streams progress while the command runs.
document.querySelector('#progress-btn')!.addEventListener('click', async () => {
  const onProgress = new Channel<number>((percent) => (progressBar.value = percent));
  const seconds = await invoke<number>('run_task', { onProgress });
  greetMsg.textContent = `task done in ${seconds.toFixed(1)} s`;
});

// An event: the core emits `tick` every second.
void listen<string>('tick', (event) => (clock.textContent = `the core says it is ${event.payload}`));
