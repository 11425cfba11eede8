"""What machine a benchmark ran on, for its report.

Sessions do not always get the same kind of machine (the same 2 cores may be an AMD EPYC
one day and an Intel Xeon the next, about twice as fast), so every speed figure is
published with the processor it was measured on: compare speeds within one report.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """Cores this process may use, the processor's model name, the OS and Python."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores ({cpu}), {platform.system()} {platform.machine()}, Python {platform.python_version()}"
