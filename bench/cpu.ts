// CPU spent per unit of work, next to the rates: a rate moves with whatever else the machine
// runs, CPU per message much less. The server is this process (every thread: listener, workers,
// thread pool, GC); PostgreSQL is every process named postgres (Linux /proc; elsewhere null).
import fs from "node:fs";

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

export interface CpuMark {
  self: NodeJS.CpuUsage;
  postgresTicks: number | null;
}

export function markCpu(): CpuMark {
  return { self: process.cpuUsage(), postgresTicks: postgresTicks() };
}

/** Milliseconds of CPU per item since `from`, for the server and for PostgreSQL. */
export function cpuPerItem(from: CpuMark, items: number): { server: number; postgres: number | null } {
  const self = process.cpuUsage(from.self);
  const now = postgresTicks();
  return {
    server: (self.user + self.system) / 1000 / items,
    postgres:
      now === null || from.postgresTicks === null ? null : ((now - from.postgresTicks) * TICK_MS) / items,
  };
}

function postgresTicks(): number | null {
  if (!fs.existsSync("/proc/self/stat")) return null;
  let ticks = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
      // "pid (comm) state ...": utime and stime are the 14th and 15th fields.
      const close = stat.lastIndexOf(")");
      if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue;
      const fields = stat.slice(close + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks;
}
