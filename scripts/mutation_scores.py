"""Print the mutation score per module from a finished ``mutmut run`` (see ``make mutation``).

Score = killed / (killed + survived + no tests + timeout + suspicious); mutants that were not
checked or skipped are reported apart. ``--survivors`` lists the surviving mutants by name
(``mutmut show NAME`` prints the diff of one).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's exit codes (mutmut/stats.py): 1 and 3 mean a test failed, i.e. the mutant was killed.
KILLED = {1, 3, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
NOT_RUN = {None, 2, 34}


def main() -> int:
    mutants = Path("mutants")
    metas = sorted(mutants.rglob("*.py.meta"))
    if not metas:
        print("No mutmut results under mutants/: run `make mutation`.")
        return 1
    show_survivors = "--survivors" in sys.argv
    print(f"{'module':<36} {'killed':>7} {'survived':>9} {'no tests':>9} {'other':>6} {'score':>7}")
    total: Counter[str] = Counter()
    survivors: list[str] = []
    for meta in metas:
        module = str(meta.relative_to(mutants)).removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts: Counter[str] = Counter()
        for name, code in codes.items():
            if code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
                survivors.append(name)
            elif code in NO_TESTS:
                counts["no tests"] += 1
                survivors.append(name)
            elif code in NOT_RUN:
                counts["not run"] += 1
            else:
                counts["other"] += 1  # timeout, suspicious, segfault
        total.update(counts)
        print(_line(module, counts))
    print(_line("all", total))
    if show_survivors:
        print("\n".join(["", "Survivors:", *survivors]))
    return 0


def _line(module: str, counts: Counter[str]) -> str:
    checked = counts["killed"] + counts["survived"] + counts["no tests"] + counts["other"]
    score = f"{100 * counts['killed'] / checked:.1f}%" if checked else "-"
    not_run = f"  ({counts['not run']} not run)" if counts["not run"] else ""
    return (
        f"{module:<36} {counts['killed']:>7} {counts['survived']:>9} {counts['no tests']:>9} "
        f"{counts['other']:>6} {score:>7}{not_run}"
    )


if __name__ == "__main__":
    sys.exit(main())
