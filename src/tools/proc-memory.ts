/**
 * Resident memory of Chromium process trees, read from /proc (Linux only; elsewhere every figure
 * is null). Used by the browser pool's memory bound and by the benchmarks (bench/). Summed VmRSS counts pages shared between Chromium processes once per
 * process, so it overstates the real footprint; PSS (smaps_rollup) splits shared pages fairly
 * but costs more to read, so it is taken once, not sampled.
 */
import fs from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

function listProcs(): ProcInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: take what lies between the first '(' and the last ')'.
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), comm: stat.slice(open + 1, close) });
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

/**
 * Chromium processes below `root` (default: this process), grouped by browser: the key is the
 * direct child of `root` that started the tree (one per launched browser), the value every
 * Chromium process in that tree (renderers, zygotes, GPU/network services included).
 */
export function chromiumTrees(root = process.pid): Map<number, number[]> {
  const procs = listProcs();
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const trees = new Map<number, number[]>();
  for (const top of children.get(root) ?? []) {
    const found: number[] = [];
    const stack = [top];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (/chrom/i.test(p.comm)) found.push(p.pid);
      stack.push(...(children.get(p.pid) ?? []));
    }
    if (found.length > 0) trees.set(top.pid, found);
  }
  return trees;
}

/**
 * The pid of the process (a child of `parent`, default this process) whose command line holds
 * `marker` as one argument, or null. The pool launches Chromium with a unique marker switch, so it
 * can tell its own browser from any other Chromium this process started.
 */
export function findChildByArg(marker: string, parent = process.pid): number | null {
  for (const p of listProcs()) {
    if (p.ppid !== parent) continue;
    try {
      const args = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
      if (args.includes(marker)) return p.pid;
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of listProcs()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Summed VmRSS of `root`'s process tree in MB; null when /proc is unreadable or root is gone. */
export function treeRssMb(root: number): number | null {
  if (!fs.existsSync(`/proc/${root}/status`)) return null;
  return rssMb(processTree(root));
}

/**
 * The memory `root`'s process tree really holds, in MB: summed PSS (shared pages split between the
 * processes sharing them) where the kernel offers smaps_rollup, else summed VmRSS (which counts a
 * shared page once per process: for Chromium about 2-3x the PSS). null when root is gone.
 */
export function treeMemoryMb(root: number): { mb: number; kind: 'pss' | 'rss' } | null {
  if (!fs.existsSync(`/proc/${root}/status`)) return null;
  const pids = processTree(root);
  const pss = pssMb(pids);
  return pss !== null ? { mb: pss, kind: 'pss' } : { mb: rssMb(pids), kind: 'rss' };
}

export function chromiumDescendants(root = process.pid): number[] {
  return [...chromiumTrees(root).values()].flat();
}

function readKb(file: string, field: string): number {
  try {
    const m = fs.readFileSync(file, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of VmRSS of this process's Chromium descendants, in MB; null when /proc is unreadable. */
export function chromiumRssMb(root = process.pid): number | null {
  if (!fs.existsSync('/proc/self/status')) return null;
  return rssMb(chromiumDescendants(root));
}

/** Sum of VmRSS of these pids, in MB (pids that exited count 0). */
export function rssMb(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + readKb(`/proc/${pid}/status`, 'VmRSS'), 0) / 1024;
}

/** Sum of PSS of these pids, in MB; null when the kernel has no smaps_rollup. */
export function pssMb(pids: readonly number[]): number | null {
  if (!fs.existsSync('/proc/self/smaps_rollup')) return null;
  return pids.reduce((sum, pid) => sum + readKb(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024;
}

/** Peak resident set of this Node process so far, in MB. */
export function nodePeakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}
