// CPU seconds and resident memory of the processes under test, from /proc once a second.
// A "process" here may be a group (PostgreSQL: the postmaster and every backend it forks):
// CPU is summed over the group's pids, each counted from when the sampler first saw it (so a
// backend born mid-run counts whole); RSS is the group's sum (shared buffers count once per
// backend that touched them, so PostgreSQL's figure is an upper bound).
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Kernel clock ticks per second: 100 on every Linux build Node supports. */
const CLOCK_TICKS = 100;

export interface ProcessUsage {
  name: string;
  pids: number[];
  cpuSeconds: number;
  peakRssMb: number;
}

/** A named group of pids, resolved again at every sample (children come and go). */
export interface Watched {
  name: string;
  pids: () => number[];
}

interface PidStat {
  ppid: number;
  cpuTicks: number;
}

export function readStat(pid: number): PidStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

export function readRssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

export function childrenOf(parent: number): number[] {
  return allPids().filter((pid) => readStat(pid)?.ppid === parent);
}

/**
 * The RabbitMQ VM of our node: the beam.smp whose command line or environment
 * (RABBITMQ_NODENAME, as rabbitmq-server passes it) names IOT_RABBITMQ_NODE.
 */
export function rabbitBeamPid(nodeName: string): number | undefined {
  for (const pid of allPids()) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('beam')) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(nodeName) || cmdline.includes(nodeName.split('@')[0] ?? nodeName)) {
        return pid;
      }
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (environ.includes(`RABBITMQ_NODENAME=${nodeName}`)) return pid;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

/** The postmaster's pid: the first line of <data>/postmaster.pid (.stack/postgres may be a link). */
export function postmasterPid(stackDir: string): number | undefined {
  try {
    const dataDir = realpathSync(path.join(stackDir, 'postgres', 'data'));
    const first = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class ResourceSampler {
  private readonly groups = new Map<
    string,
    {
      watched: Watched;
      baseTicks: Map<number, number>;
      lastTicks: Map<number, number>;
      peakKb: number;
    }
  >();
  private first = true;

  watch(watched: Watched): void {
    this.groups.set(watched.name, {
      watched,
      baseTicks: new Map(),
      lastTicks: new Map(),
      peakKb: 0,
    });
  }

  /** One look at every watched group; call once a second. */
  sample(): void {
    for (const group of this.groups.values()) {
      let rssKb = 0;
      for (const pid of group.watched.pids()) {
        const stat = readStat(pid);
        if (!stat) continue;
        // Pids there at the first sample count from then; later ones from their birth.
        if (!group.baseTicks.has(pid)) group.baseTicks.set(pid, this.first ? stat.cpuTicks : 0);
        group.lastTicks.set(pid, stat.cpuTicks);
        rssKb += readRssKb(pid) ?? 0;
      }
      group.peakKb = Math.max(group.peakKb, rssKb);
    }
    this.first = false;
  }

  usage(): ProcessUsage[] {
    return [...this.groups.values()].map(({ watched, baseTicks, lastTicks, peakKb }) => {
      let ticks = 0;
      for (const [pid, last] of lastTicks) ticks += last - (baseTicks.get(pid) ?? 0);
      return {
        name: watched.name,
        pids: [...lastTicks.keys()],
        cpuSeconds: ticks / CLOCK_TICKS,
        peakRssMb: peakKb / 1024,
      };
    });
  }
}
