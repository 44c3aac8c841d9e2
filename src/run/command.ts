// `tsprof run [flags] -- COMMAND [ARGS...]`.
export async function runCommand(_args: string[]): Promise<number> {
  process.stderr.write("tsprof run: not implemented yet\n");
  return 2;
}
