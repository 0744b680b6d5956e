"""Every question protected ahead, in a worker process, at every minimum base the sidebar offers.

Raising the minimum base makes a new publication of each question a page shows
(seconds of linear programming the first time). Once the explorer has drawn its
first page, :func:`warm_likely_bases` starts one worker process that protects
the bundled sample's questions at each of :data:`LIKELY` (the sidebar's
:data:`app_pages.settings.MIN_BASES` above the default; the headline questions
first, then the others, as :func:`app_pages.warm_up.warm_up_steps` orders them)
and a thread that hands each publication to this process
(:data:`app_pages.shared.MADE_AHEAD`) as it arrives. A visitor raising the
minimum base waits for none.

A process, not a thread: the protection is Python-heavy, and a thread would take
the interpreter lock from visitors' reruns for minutes after a start. The worker
runs at a lower priority (``nice``), so on a small server visitors' reruns come
first, and it is a daemon: it ends with the server. It computes through the same
cached functions as the pages (:func:`app_pages.shared.publication`), so its
patterns are the pages' own. Only the bundled sample: nothing of an upload is
computed here (an upload's publication at a base takes its protection time the
first time).
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import streamlit as st

import listening as yl
from app_pages import launch
from app_pages.settings import MIN_BASES
from listening.explorer.views import HEADLINES, question_choices

LIKELY = MIN_BASES[1:]
"""The sidebar's other minimum bases (the warm-up protects the default)."""
THREAD = "warm-likely-min-bases"
NICE = 10
"""How much lower the worker's priority is than the server's."""
ROOT = Path(__file__).resolve().parents[1]


def questions() -> list[str]:
    """The sample's questions in the order the worker protects them: the headlines
    (the Overview's comparison, Explore's and the Map's first question), then the rest."""
    from app_pages import shared  # here: the worker imports it without session warnings

    book = shared.load_sample_source().codebook
    first = [h.question for h in HEADLINES if h.question in book.questions]
    return first + [q for q in question_choices(book) if q not in first]


def protect_ahead(bases: Sequence[int], names: Sequence[str], results: BinaryIO) -> None:
    """The worker: each question's publication at each base, pickled to ``results`` as
    ``(question, base, publication)`` as soon as it is made.

    A question the sample cannot publish is left out (its page says why when a
    visitor asks for it); a bug is logged and the next ones still made.
    """
    os.nice(NICE)
    with launch.without_session_warnings():
        from app_pages import shared  # its caches warn outside a server when made

        for base in bases:
            for question in names:
                try:
                    made = shared.publication(shared.SAMPLE_KEY, question, base)
                except yl.ListeningError:
                    continue
                except Exception:  # a bug: in the server's log, and the next ones still made
                    logging.getLogger(__name__).exception("protecting %s at %s", question, base)
                    continue
                pickle.dump((question, base, made), results)
                results.flush()


@st.cache_resource(show_spinner=False)
def warm_likely_bases() -> threading.Thread:
    """Once per process: start the worker (``python -m app_pages.likely_bases``, which runs
    :func:`protect_ahead` over :data:`LIKELY` and :func:`questions`) and a thread that
    files what it sends in :data:`app_pages.shared.MADE_AHEAD`, until the worker ends.
    The worker is stopped when this process exits."""
    from app_pages import shared

    command = [sys.executable, "-m", "app_pages.likely_bases", *map(str, LIKELY), "--"]
    worker = subprocess.Popen([*command, *questions()], cwd=ROOT, stdout=subprocess.PIPE)
    atexit.register(worker.kill)

    def receive() -> None:
        with worker.stdout:
            while True:
                try:
                    question, base, made = pickle.load(worker.stdout)  # our own child's
                except (EOFError, pickle.UnpicklingError):  # ended (or cut short: logged)
                    break
                shared.MADE_AHEAD[(question, base)] = made
        if worker.wait():
            logging.getLogger(__name__).error("protecting ahead stopped (%s)", worker.returncode)

    thread = threading.Thread(target=receive, name=THREAD, daemon=True)
    thread.start()
    return thread


def main(argv: Sequence[str]) -> None:
    """The worker's command line: ``BASE ... -- QUESTION ...``; the publications go to
    standard output (pickled), anything printed to standard error."""
    split = list(argv).index("--")
    results = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may reach the pickles
    protect_ahead([int(b) for b in argv[:split]], argv[split + 1 :], results)


if __name__ == "__main__":
    main(sys.argv[1:])
