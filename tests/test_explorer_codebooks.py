"""Any codebook that load_codebook accepts runs every explorer page without an exception.

Hypothesis varies the bundled codebook (nets renamed or removed, options renamed, fewer
districts, no free-text question), rewrites the bundled sample to match, uploads both and
runs the Overview and every other page in Streamlit's AppTest.
"""

from __future__ import annotations

import json

import pandas as pd
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import listening as yl
from listening.paths import SAMPLE_DIR

APP = str(SAMPLE_DIR.parent / "app.py")
PAGES = [
    "app_pages/explore.py",
    "app_pages/map.py",
    "app_pages/who_took_part.py",
    "app_pages/safer.py",
]
RAW = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
FRAME = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False).iloc[:700]
SINGLE = [
    q["name"]
    for q in RAW["questions"]
    if q["type"] == "single" and q["name"] not in (RAW["consent"]["column"], RAW["district_column"])
]
NETTED = [q["name"] for q in RAW["questions"] if q.get("nets")]
DISTRICTS = [d["name"] for d in RAW["districts"]]


def _question(book: dict, name: str) -> dict:
    return next(q for q in book["questions"] if q["name"] == name)


def _rename_option(book: dict, frame: pd.DataFrame, name: str, old: str, new: str) -> None:
    """Rename one answer everywhere the codebook names it, and in the data."""
    q = _question(book, name)

    def swap(values):
        return [new if v == old else v for v in values]

    for key in ("options", "missing", "exclusive"):
        if key in q:
            q[key] = swap(q[key])
    q["nets"] = {net: swap(members) for net, members in q.get("nets", {}).items()}
    q["codes"] = {k: new if v == old else v for k, v in q.get("codes", {}).items()}
    publication = q.get("publication", {})
    publication["groups"] = {g: swap(m) for g, m in publication.get("groups", {}).items()}
    if isinstance(publication.get("county_only"), list):
        publication["county_only"] = swap(publication["county_only"])
    q["publication"] = {k: v for k, v in publication.items() if v}
    weighting = book["weighting"]
    if weighting.get("sex_from") == name and old in weighting.get("sex_map", {}):
        weighting["sex_map"][new] = weighting["sex_map"].pop(old)
    frame[name] = frame[name].where(frame[name] != old, new)


@st.composite
def variations(draw) -> dict:
    """A small recipe for a varied codebook (shown as is when a test fails)."""
    nets = draw(st.dictionaries(st.sampled_from(NETTED), st.sampled_from(["rename", "drop"])))
    renamed = {}
    for name in draw(st.sets(st.sampled_from(SINGLE), max_size=3)):
        renamed[name] = draw(st.sampled_from(_question(RAW, name)["options"]))
    kept = draw(st.lists(st.sampled_from(DISTRICTS), min_size=2, max_size=5, unique=True))
    return {"nets": nets, "renamed": renamed, "districts": kept, "free_text": draw(st.booleans())}


def build(recipe: dict) -> tuple[bytes, bytes]:
    """The codebook (YAML) and a survey that matches it (CSV) for one recipe."""
    book = json.loads(json.dumps(RAW))  # no objects shared through YAML merge keys
    frame = FRAME.copy()
    for name, change in recipe["nets"].items():
        q = _question(book, name)
        if change == "drop":
            q.pop("nets")
        else:
            q["nets"] = {f"{net} (renamed)": members for net, members in q["nets"].items()}
    for name, old in recipe["renamed"].items():
        _rename_option(book, frame, name, old, f"{old} (renamed)")
    kept = recipe["districts"]
    book["districts"] = [d for d in book["districts"] if d["name"] in kept]
    district = _question(book, book["district_column"])
    district["options"] = [o for o in district["options"] if o in kept]
    district["codes"] = {k: v for k, v in district.get("codes", {}).items() if v in kept}
    frame = frame[frame[book["district_column"]].isin(kept)]
    if not recipe["free_text"]:
        book["questions"] = [q for q in book["questions"] if q["type"] != "text"]
        frame = frame.drop(columns=[c for c in frame if c == "safer_text"])
    return yaml.safe_dump(book, allow_unicode=True).encode(), frame.to_csv(index=False).encode()


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # each example runs five pages: no shrinking
)
@given(variations())
@example(  # the case: "Feel safe" renamed on every safety question
    {
        "nets": dict.fromkeys([n for n in NETTED if n.startswith("safe_")], "rename"),
        "renamed": {},
        "districts": DISTRICTS,
        "free_text": True,
    }
)
def test_every_page_runs_with_an_accepted_codebook(recipe):
    codebook, survey = build(recipe)
    yl.load_codebook(codebook)  # accepted, so every page must run
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.radio(key="data_source").set_value("Upload a survey").run()
    at.file_uploader(key="upload_survey").set_value(("varied.csv", survey, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("varied.yaml", codebook, "text/yaml"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]
    assert at.session_state["explorer_context"].source.label == "Uploaded: varied.csv"
    for page in [None, *PAGES]:
        if page is not None:
            at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.main.error, (page, [e.value for e in at.main.error])
