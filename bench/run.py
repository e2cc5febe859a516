"""Runs every bench/bench_*.py module's `main()`; each prints `bench <name> <figure> <value> <unit>` lines.

Benchmarks use their own database (QG_BENCH_DB, default qg_bench) on the project's
cluster, created afresh, so the demo data of `make run` is left alone.
"""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    only = set(sys.argv[1:])
    modules = sorted(Path(__file__).parent.glob("bench_*.py"))
    failed = 0
    for path in modules:
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        try:
            module.main()
        except Exception as exc:  # one failing benchmark must not hide the others' figures
            failed += 1
            print(f"bench {name} error 1 {exc.__class__.__name__}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
