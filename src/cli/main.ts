#!/usr/bin/env node
// The `tsprof` command: `tsprof run ...` and `tsprof pprof ...`.
import { readFileSync } from "node:fs";
import process from "node:process";

const usage = `usage: tsprof <command> [arguments]

commands:
  run     profile a Node.js program: tsprof run [flags] -- COMMAND [ARGS...]
  pprof   analyze profiles: tsprof pprof [flags] SOURCE...

flags:
  --version  print tsprof's version and the Node.js it runs on
`;

/** "tsprof 0.1.0 (Node.js v24.22.3)": the package's own version, read from its package.json. */
function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return `tsprof ${pkg.version} (Node.js ${process.version})\n`;
}

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
    case "version":
    case "--version":
      process.stdout.write(versionLine());
      return 0;
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
