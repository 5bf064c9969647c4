/**
 * `airlock init <dir>`: a new Tauri-shaped project from `templates/<template>/` (the Airlock counterpart of
 * create-tauri-app's vanilla-ts template): Vite frontend, a validated command, an event, a channel progress bar,
 * a capability file, and a smoke test of the commands (`npm test`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bold, CliError, cyan, dim, green, shown } from './output.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = path.join(PACKAGE_ROOT, 'templates');
const TEMPLATE_NAMES: Readonly<Record<string, string>> = { vite: 'vanilla-ts', 'vanilla-ts': 'vanilla-ts' };

export interface InitOptions {
  readonly name: string | undefined;
  readonly template: string | undefined;
  /** The `airlock` dependency spec written into package.json. */
  readonly airlock: string | undefined;
  readonly force: boolean;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Where the new project gets airlock: this copy by path, unless this copy came from the registry. */
function defaultAirlockSpec(): string {
  const root = path.resolve(PACKAGE_ROOT);
  return root.split(path.sep).includes('node_modules') ? `^${packageVersion()}` : `file:${root}`;
}

function npmName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'airlock-app' : name.slice(0, 200);
}

function copyTemplate(from: string, to: string, vars: Readonly<Record<string, string>>): string[] {
  const written: string[] = [];
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from).sort()) {
    const src = path.join(from, entry);
    const dest = path.join(to, entry === '_gitignore' ? '.gitignore' : entry);
    if (statSync(src).isDirectory()) {
      written.push(...copyTemplate(src, dest, vars));
      continue;
    }
    const text = readFileSync(src, 'utf8').replace(/\{\{(\w+)\}\}/g, (all, key: string) => vars[key] ?? all);
    writeFileSync(dest, text);
    written.push(dest);
  }
  return written;
}

export async function initProject(dirArg: string, options: InitOptions): Promise<number> {
  const template = TEMPLATE_NAMES[options.template ?? 'vite'];
  if (template === undefined)
    throw new CliError(`unknown template \`${options.template}\``, `templates: ${Object.keys(TEMPLATE_NAMES).join(', ')}`);
  const dir = path.resolve(dirArg);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
    throw new CliError(`${shown(dir)} exists and is not empty`, 'pick a new directory, or pass --force to write into it');
  }
  const productName = options.name ?? path.basename(dir);
  const name = npmName(productName);
  const vars = {
    name,
    productName: productName.replace(/["\\<>]/g, ''),
    identifier: `dev.airlock.${name.replace(/[^a-z0-9]/g, '') || 'app'}`,
    airlockSpec: options.airlock ?? defaultAirlockSpec(),
  };
  const files = copyTemplate(path.join(TEMPLATES, template), dir, vars);
  const rel = shown(dir);
  console.log(`\n  ${green('✔')} created ${bold(productName)} in ${rel} ${dim(`(${files.length} files, template ${template})`)}\n`);
  console.log(`  ${dim('next:')}`);
  console.log(`    ${cyan(`cd ${rel.includes(' ') ? JSON.stringify(rel) : rel}`)}`);
  console.log(`    ${cyan('npm install')}`);
  console.log(`    ${cyan('npm run dev')}      ${dim('# Vite + the core + a window')}`);
  console.log(`    ${cyan('npm test')}         ${dim('# type-check and test the commands')}\n`);
  return 0;
}
