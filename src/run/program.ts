// Which process of a run is "the program": the one whose main file a merged
// profile names (pprof's `File:` header, the first profile's main mapping).
// Launchers only start the program: the package managers' CLIs (npm, npx,
// pnpm, yarn), tsx's CLI (which runs the script in a child process), and a
// node with no script of its own (`node --test` with no file named, `node -e`).
// The program is the first process, in pid order, that is not one of them;
// when every process is a launcher, the first process.

import { basename } from "node:path";

const LAUNCHERS: RegExp[] = [
  /[\\/]npm[\\/]bin[\\/]np[mx]-cli\.js$/,
  /[\\/]node_modules[\\/]\.bin[\\/](npm|npx|pnpm|pnpx|yarn|tsx)$/,
  /[\\/](pnpm|yarn)[\\/]bin[\\/][^\\/]+\.c?js$/,
  /[\\/]corepack[\\/]dist[\\/][^\\/]+\.js$/,
  /[\\/]tsx[\\/]dist[\\/]cli\.mjs$/,
];

/** Whether a process's main file (its argv[1], or node itself when it has none) is a launcher. */
export function isLauncher(mainFile: string): boolean {
  if (/^node(\.exe)?$|^nodejs$/i.test(basename(mainFile))) return true;
  return LAUNCHERS.some((re) => re.test(mainFile));
}

/** `items` (in pid order) with the program's first, the others after it in their order. */
export function programFirst<T>(items: T[], mainFile: (item: T) => string | undefined): T[] {
  const i = items.findIndex((item) => {
    const file = mainFile(item);
    return file !== undefined && !isLauncher(file);
  });
  return i <= 0 ? items : [items[i]!, ...items.slice(0, i), ...items.slice(i + 1)];
}
