/** `airlock init <dir>`: placeholder until the templates land. */
export async function initProject(_dir: string, _options: { name: string | undefined; template: string | undefined; airlock: string | undefined; force: boolean }): Promise<number> {
  console.error('airlock init: not implemented yet');
  return 1;
}
