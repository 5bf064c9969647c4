import { Channel, invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';

const log = (line) => (document.getElementById('log').textContent += `${line}\n`);

document.getElementById('greet').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    log(await invoke('greet', { name: document.getElementById('name').value }));
  } catch (err) {
    log(`error: ${err.message ?? err}`);
  }
});

document.getElementById('count').addEventListener('click', async () => {
  const bar = document.getElementById('bar');
  const onProgress = new Channel((i) => (bar.value = i));
  log(`counted to ${await invoke('count_to', { n: 50, onProgress })}`);
});

document.getElementById('emit').addEventListener('click', () => emit('clicked', { when: Date.now() }));
await listen('ack', (event) => log(`core acknowledged at ${event.payload.at}`));
