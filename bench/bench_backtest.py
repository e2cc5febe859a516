"""Back-test benchmark: `backtest_profiles` on the national-scale replicated set of bench_profiles.py.

Run: .venv/bin/python bench/run.py backtest

The set is bench_profiles.py's (NOT real national data): the 201 real bureaux of the
official législatives 2024 T1 file for Finistère circonscriptions 2 and 3, replicated
under distinct codes to about 70,000 bureaux, each with 4 elections (présidentielle and
législatives 2022, européennes and législatives 2024; votes shifted between candidates
by a fixed rule so that elections differ). The back-test computes the profiles from the
three elections before 10 June 2024 and checks them against the législatives 2024.

Same-run baseline: the bare load of the results (`profiles_load_results`, the one query
that feeds both the recompute and the back-test), so that the back-test's own cost reads
as a ratio on this machine.

It uses its own database (QG_BENCH_BACKTEST_DB, default qg_bench_backtest), dropped and
created afresh. QG_BENCH_BACKTEST_CALIBRATE=1 also times a back-test with the calibration
search (about 17 recomputes: minutes at this scale).
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import bench_profiles  # noqa: E402 (the national set's builder, shared)

BENCH_DB = os.environ.get("QG_BENCH_BACKTEST_DB", "qg_bench_backtest")
UNTIL = date(2024, 6, 10)
AGAINST = "bench-legislatives-2024-1"


def say(name: str, value: float | int, unit: str) -> None:
    print(f"bench profiles {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# backtest: {text}", file=sys.stderr, flush=True)


def main() -> None:
    bench_profiles.BENCH_DB = BENCH_DB
    original = bench_profiles._use_fresh_database()
    from django.db import connections

    try:
        from circonscriptions.profiles.backtest import profiles_backtest
        from circonscriptions.profiles.services import profiles_load_results
        from circonscriptions.tests.profile_data import lg2024_rows

        real_2024 = lg2024_rows()
        copies = max(1, round(bench_profiles.TARGET_BUREAUX / len({r["polling_station_id"] for r in real_2024})))
        started = time.perf_counter()
        bureaux = bench_profiles._replicate(real_2024, copies)
        note(
            f"national-scale set: {bureaux} bureaux x {len(bench_profiles.ELECTIONS)} elections "
            f"(replicated, not real national data), built in {time.perf_counter() - started:.1f} s"
        )
        say("backtest_bureaux", bureaux, "bureaux")

        loads = []
        for _ in range(2):
            started = time.perf_counter()
            results = profiles_load_results()
            loads.append(time.perf_counter() - started)
        note(f"bare load: {len(results)} rows, {', '.join(f'{t:.2f}' for t in loads)} s (best reported)")
        say("backtest_load_results_s", round(min(loads), 3), "s")

        timings = []
        for _ in range(2):
            started = time.perf_counter()
            backtest = profiles_backtest(until=UNTIL, against=AGAINST, by="bench")
            timings.append(time.perf_counter() - started)
        f = backtest.figures
        note(
            f"back-test runs: {', '.join(f'{t:.2f}' for t in timings)} s (best reported); "
            f"{f['compared']} bureaux compared, accuracy {f['accuracy']:.3f}, Brier {f['brier']:.3f}, "
            f"correlation {f['correlation']:.3f}"
        )
        say("backtest_national_s", round(min(timings), 3), "s")
        say("backtest_load_ratio", round(min(timings) / min(loads), 2), "ratio")

        if os.environ.get("QG_BENCH_BACKTEST_CALIBRATE") == "1":
            started = time.perf_counter()
            calibrated = profiles_backtest(until=UNTIL, against=AGAINST, by="bench", calibrate=True)
            say("backtest_calibrate_national_s", round(time.perf_counter() - started, 3), "s")
            c = calibrated.calibrated_figures
            note(
                f"calibration: scale {c['scale_before']} -> {c['scale']}, "
                f"Brier {c['brier_before']:.4f} -> {c['brier_after']:.4f}"
            )
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()
