"""Peak memory of this process, as the audit's workers report it and the benchmarks measure it."""

from __future__ import annotations

import resource


def peak_rss_kb() -> int:
    """This process's peak RSS in KiB: VmHWM where /proc has it, because ru_maxrss can carry the
    parent's peak over fork+exec on Linux and would report the caller's memory instead of ours."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
