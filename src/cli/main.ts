#!/usr/bin/env node
// The `tsprof` command: `tsprof run ...` and `tsprof pprof ...`.
import process from "node:process";

const usage = `usage: tsprof <command> [arguments]

commands:
  run     profile a Node.js program: tsprof run [flags] -- COMMAND [ARGS...]
  pprof   analyze profiles: tsprof pprof [flags] SOURCE...
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run": {
      const { runCommand } = await import("../run/command.js");
      return runCommand(rest);
    }
    case "pprof": {
      const { pprofCommand } = await import("../analyzer/driver/main.js");
      return pprofCommand(rest);
    }
    case "help":
    case "-h":
    case "--help":
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(command ? `tsprof: unknown command "${command}"\n${usage}` : usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`tsprof: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
