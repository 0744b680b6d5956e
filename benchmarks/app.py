"""Benchmark: how long the explorer takes per page and per interaction (AppTest).

Runs ``app.py`` in Streamlit's AppTest (the script as Streamlit runs it, without a
browser) on the bundled sample and prints the wall time of the first load (read,
validate and rake the sample, once per process), of each page, and of the main
interactions: the first time (estimates computed) and again (estimates cached).
Target: under 300 ms per interaction on the sample.

With ``--warm-up`` the app runs as ``make app`` starts it (the launcher's
:func:`app_pages.launch.warm` first, then ``LISTENING_WARM_UP`` set): the
"first load" is the first page after that warm-up, and the benchmark waits
for the warm-up thread to finish after the first load (and prints how long
that took), so the first-time interactions are those of a visitor arriving
once the server has warmed up.

Usage::

    .venv/bin/python benchmarks/app.py [--repeat 3] [--warm-up]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = {
    "Overview": "app_pages/overview.py",
    "Explore a question": "app_pages/explore.py",
    "Map": "app_pages/map.py",
    "Who took part": "app_pages/who_took_part.py",
    "What would make you safer": "app_pages/safer.py",
    "Change since the last survey": "app_pages/change.py",
    "Accessibility": "app_pages/accessibility.py",
}
TARGET_MS = 300
WARM_UP_THREADS = ("warm-sample-publications", "warm-likely-min-bases")  # in this order


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _timed(step: Callable[[], AppTest]) -> float:
    started = time.perf_counter()
    at = step()
    elapsed = _ms(started)
    if at.exception:
        raise SystemExit(f"the app raised: {[e.message for e in at.exception]}")
    return elapsed


def _interactions(at: AppTest) -> list[tuple[str, Callable[[], AppTest]]]:
    """Widget changes, each undone by the next, as (label, step)."""

    def page(path: str) -> Callable[[], AppTest]:
        return lambda: at.switch_page(path).run()

    def widget(kind: str, key: str, value: object) -> Callable[[], AppTest]:
        return lambda: getattr(at, kind)(key=key).set_value(value).run()

    return [
        ("open Explore", page(PAGES["Explore a question"])),
        ("filter: only girls", widget("multiselect", "explore_filter_gender", ["Girl"])),
        ("filter: girls aged 14-15", widget("multiselect", "explore_filter_age_band", ["14-15"])),
        ("clear the filters", lambda: _clear_filters(at)),
        ("question: trust in police", widget("selectbox", "explore_question", "trust_police")),
        (
            "breakdown: district x age",
            widget("multiselect", "explore_by", ["District", "Age band"]),
        ),
        ("unweighted", widget("radio", "explore_weighting", "Unweighted")),
        ("weighted", widget("radio", "explore_weighting", "Weighted")),
        ("level 90%", widget("select_slider", "explore_level", 0.9)),
        ("min_base 50 (sidebar)", widget("selectbox", "min_base", 50)),
        ("min_base 10 (sidebar)", widget("selectbox", "min_base", 10)),
        ("open Map", page(PAGES["Map"])),
        ("map: another answer", widget("selectbox", "map_answer", "Very unsafe")),
        ("open Overview", page(PAGES["Overview"])),
        ("overview: compare Fenland", widget("selectbox", "overview_group", "Fenland")),
        ("open Safer", page(PAGES["What would make you safer"])),
        ("safer: by district", widget("radio", "safer_by", "District")),
        ("open Who took part", page(PAGES["Who took part"])),
        ("open Change", page(PAGES["Change since the last survey"])),
        ("open Accessibility", page(PAGES["Accessibility"])),
    ]


def _clear_filters(at: AppTest) -> AppTest:
    at.multiselect(key="explore_filter_gender").set_value([])
    at.multiselect(key="explore_filter_age_band").set_value([])
    return at.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of interactions")
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="as make app: set LISTENING_WARM_UP and let the warm-up finish first",
    )
    args = parser.parse_args()
    if args.warm_up:
        sys.path.insert(0, str(ROOT))  # app_pages, as `python -m app_pages.launch` finds it
        from app_pages import launch

        started = time.perf_counter()
        launch.warm()
        print(f"launcher warm-up (before the server listens): {_ms(started):,.0f} ms")
        os.environ["LISTENING_WARM_UP"] = "1"

    at = AppTest.from_file(APP, default_timeout=300)
    cold = _timed(lambda: at.run())
    what = "after the launcher's warm-up" if args.warm_up else "read, validate, rake the sample"
    print(f"first load ({what}; once per process): {cold:,.0f} ms")
    if args.warm_up:
        started = time.perf_counter()
        for name in WARM_UP_THREADS:
            for thread in threading.enumerate():
                if thread.name == name:
                    thread.join()
        waited = (time.perf_counter() - started) * 1000
        print(f"warm-up threads finished {waited:,.0f} ms after the first load")

    rounds: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for label, step in _interactions(at):
            rounds.setdefault(label, []).append(_timed(step))

    width = max(len(label) for label in rounds)
    print(f"\n{'interaction':<{width}}  first ms  cached ms (best of {args.repeat - 1})")
    worst = 0.0
    for label, times in rounds.items():
        again = min(times[1:]) if len(times) > 1 else float("nan")
        worst = max(worst, again)
        print(f"{label:<{width}}  {times[0]:8.0f}  {again:9.0f}")
    slow = [label for label, times in rounds.items() if times[0] > TARGET_MS]
    first = max(rounds.items(), key=lambda item: item[1][0])
    print(
        f"\nslowest first-time interaction {first[1][0]:,.0f} ms ({first[0]}), "
        f"slowest cached {worst:.0f} ms (target {TARGET_MS} ms for both); "
        f"first-time interactions over target: {', '.join(slow) or 'none'}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
