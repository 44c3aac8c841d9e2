// `tsprof pprof [flags] SOURCE...`: the analyzer's command-line driver.
export async function pprofCommand(_args: string[]): Promise<number> {
  process.stderr.write("tsprof pprof: not implemented yet\n");
  return 2;
}
