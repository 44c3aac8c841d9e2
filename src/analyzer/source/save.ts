// Profiles fetched over HTTP are saved, as go tool pprof saves them, so they
// can be read again later: $PPROF_TMPDIR, else $HOME/pprof, else the temp
// directory, as pprof.<binary>.<sample types>.NNN.pb.gz.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import process from "node:process";
import { encodeProfileGzipSync } from "../../profile/encode.js";
import type { ProfileData } from "../../profile/model.js";

function saveDir(warn: (m: string) => void): string | undefined {
  const dirs: string[] = [];
  if (process.env.PPROF_TMPDIR) dirs.push(process.env.PPROF_TMPDIR);
  const home = process.env.HOME ?? homedir();
  if (home) dirs.push(join(home, "pprof"));
  dirs.push(tmpdir());
  for (const d of dirs) {
    try {
      mkdirSync(d, { recursive: true });
      return d;
    } catch (err) {
      warn(`Could not use temp dir ${d}: ${(err as Error).message}`);
    }
  }
  return undefined;
}

/** Writes `p` and returns its path, or undefined (with a warning) when it cannot. */
export function saveFetchedProfile(p: ProfileData, warn: (m: string) => void): string | undefined {
  const dir = saveDir(warn);
  if (!dir) return undefined;
  let prefix = "pprof.";
  const m0 = p.mapping[0];
  if (m0 && m0.file !== "") prefix += basename(m0.file) + ".";
  for (const st of p.sampleType) prefix += st.type + ".";
  try {
    const data = encodeProfileGzipSync(p);
    for (let i = 1; i < 10000; i++) {
      const file = join(dir, `${prefix}${String(i).padStart(3, "0")}.pb.gz`);
      if (existsSync(file)) continue;
      writeFileSync(file, data, { flag: "wx" });
      warn(`Saved profile in ${file}`);
      return file;
    }
    warn(`Could not save profile: no free file name in ${dir}`);
  } catch (err) {
    warn(`Could not save profile: ${(err as Error).message}`);
  }
  return undefined;
}
