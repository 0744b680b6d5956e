"""Population margins: the weighting targets that ``design.rake()`` takes.

The bundled targets (``sample_data/population_margins.csv``) are built from
two public tables kept beside them:

- ONS mid-2020 population estimates, persons aged 11 to 18 by district and
  single year of age, summed into the codebook's age bands: the district x
  age band margin;
- Census 2021, females and males aged under 20 by district: each district's
  11-18 total is split by its under-20 sex ratio (no published table gives
  ages 11-18 by sex by district): the district x sex margin.

Both margins therefore have the same total in every district. The file is
tidy: one row per margin cell, a ``margin`` column naming the margin (its
variables joined by ``" x "``, e.g. ``"district x age_band"``), one column
per weighting variable (blank where a margin does not use it) and
``population``. Newer figures can be loaded from a CSV in the same layout
with :func:`read_margins`.

Examples
--------
>>> from listening.design.margins import load_margins
>>> by_age, by_sex = load_margins()
>>> list(by_age.columns), list(by_sex.columns)
(['district', 'age_band', 'population'], ['district', 'sex', 'population'])
>>> bool(by_age["population"].sum() == by_sex["population"].sum())
True
"""

from __future__ import annotations

import argparse
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from listening.errors import MarginsError
from listening.ingest.codebook import Codebook, load_codebook
from listening.paths import SAMPLE_DIR

MARGINS_FILE = SAMPLE_DIR / "population_margins.csv"
MYE_FILE = SAMPLE_DIR / "ons_mye2020_age11_18_by_district.csv"
CENSUS_FILE = SAMPLE_DIR / "census2021_under20_sex_by_district.csv"
MAX_REPORTED = 10
UNKNOWN_SEX_MIN_COUNT = 10
"""Fewest respondents of unknown sex whose class :func:`with_unknown_sex` sizes itself.

The class's share is that count over the survey's respondents, and every weighted
figure carries it, so the count must be one that may be published: 10, the library's
default ``min_base`` (:func:`listening.publish.tables.crosstab`) and the
explorer's lowest minimum base (``app_pages.settings.MIN_BASE``), at which Who took part
shows the count anyway. ``tests/test_margins.py`` checks that these agree."""
UNKNOWN_SEX_NOTE = (
    "Young people whose sex is not known (who describe their gender another way or "
    "prefer not to say) form their own weighting class in each district that has any; "
    "that class is given the same share of every such district's total, the share of "
    "the whole survey's respondents whose sex is not known, and girls and boys share "
    "the rest in the Census ratio. Those classes' targets come from the sample, so only "
    "the published figures are listed here."
)
TOTAL_TOLERANCE = 1e-6


class FewUnknownSexError(MarginsError):
    """Too few respondents of unknown sex to size their weighting class from the survey.

    Their class's share of the population would be their count over the survey's
    respondents, published in every weighted figure; a count below
    :data:`UNKNOWN_SEX_MIN_COUNT` must not be.

    Examples
    --------
    >>> issubclass(FewUnknownSexError, MarginsError)
    True
    """


def margin_name(variables: Sequence[str]) -> str:
    """Name of the margin over ``variables``, as written in the ``margin`` column.

    Examples
    --------
    >>> margin_name(["district", "age_band"])
    'district x age_band'
    """
    return " x ".join(variables)


def margin_variables(codebook: Codebook | None = None) -> list[list[str]]:
    """The codebook's weighting margins, each a list of variable names.

    Examples
    --------
    >>> margin_variables()
    [['district', 'age_band'], ['district', 'sex']]
    """
    codebook = codebook or load_codebook()
    margins = codebook.weighting.get("margins") or []
    if not margins:
        raise MarginsError(
            f"Codebook {codebook.path or '(in memory)'} lists no weighting margins; add "
            "weighting.margins, e.g. [[district, age_band], [district, sex]]."
        )
    return [[str(v) for v in variables] for variables in margins]


def _sex_labels(codebook: Codebook) -> tuple[list[str], str]:
    weighting = codebook.weighting
    known = list(dict.fromkeys(str(v) for v in (weighting.get("sex_map") or {}).values()))
    return known or ["Female", "Male"], str(weighting.get("sex_unknown", "Not known"))


def build_margins(
    mye: str | Path = MYE_FILE,
    census: str | Path = CENSUS_FILE,
    *,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Build the tidy margins table from the ONS and Census tables.

    Parameters
    ----------
    mye : str or Path
        ONS mid-year estimates with columns ``district_code``, ``age``,
        ``persons`` (one row per district and single year of age).
    census : str or Path
        Census counts with columns ``district_code``, ``females_under20``,
        ``males_under20``.
    codebook : Codebook, optional
        Supplies district names (by ONS code), the age bands and the sex labels.

    Returns
    -------
    DataFrame
        Columns ``margin``, ``district``, ``age_band``, ``sex``, ``population``.
        Female counts are ``round(district total x female share)`` and Male
        the remainder, so both margins sum to the same district totals.

    Examples
    --------
    >>> table = build_margins()
    >>> table["margin"].unique().tolist()
    ['district x age_band', 'district x sex']
    """
    codebook = codebook or load_codebook()
    names = {code: name for name, code in codebook.districts.items()}
    ages = _read_table(mye, ["district_code", "age", "persons"])
    ages["age"] = pd.to_numeric(ages["age"])
    band_of = {
        age: label for label, low, high in codebook.age_bands for age in range(low, high + 1)
    }
    ages = ages[ages["age"].isin(list(band_of))]
    ages["district"] = ages["district_code"].map(names)
    ages["age_band"] = ages["age"].map(band_of)
    ages["persons"] = pd.to_numeric(ages["persons"])
    by_band = ages.groupby(["district", "age_band"], sort=False)["persons"].sum().reset_index()
    totals = by_band.groupby("district", sort=False)["persons"].sum()

    sexes = _read_table(census, ["district_code", "females_under20", "males_under20"])
    sexes["district"] = sexes["district_code"].map(names)
    sexes = sexes.set_index("district").loc[list(totals.index)]
    females = pd.to_numeric(sexes["females_under20"])
    share = females / (females + pd.to_numeric(sexes["males_under20"]))
    female_count = (totals * share).round().astype(int)
    (female, male), _ = _sex_labels(codebook)
    by_sex = pd.concat(
        [
            pd.DataFrame({"district": totals.index, "sex": female, "persons": female_count.values}),
            pd.DataFrame(
                {"district": totals.index, "sex": male, "persons": (totals - female_count).values}
            ),
        ],
        ignore_index=True,
    )
    order = {name: i for i, name in enumerate(codebook.districts)}
    bands = {label: i for i, label in enumerate(codebook.age_band_labels)}
    by_band = by_band.sort_values(
        ["district", "age_band"], key=lambda s: s.map(order if s.name == "district" else bands)
    )
    by_sex = by_sex.sort_values("district", key=lambda s: s.map(order), kind="stable")
    table = pd.concat(
        [
            by_band.assign(margin=margin_name(["district", "age_band"])),
            by_sex.assign(margin=margin_name(["district", "sex"])),
        ],
        ignore_index=True,
    )
    table = table.rename(columns={"persons": "population"})
    return table[["margin", "district", "age_band", "sex", "population"]]


def _read_table(path: str | Path, columns: list[str], content: bytes | None = None) -> pd.DataFrame:
    file = Path(path)
    source = file if content is None else io.BytesIO(content)
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise MarginsError(
            f"Cannot read {file} as a UTF-8 CSV file ({err}); check the path and the format."
        ) from None
    lacking = [c for c in columns if c not in table.columns]
    if lacking:
        raise MarginsError(
            f"{file} lacks the column(s) {', '.join(lacking)} (it has "
            f"{', '.join(table.columns)}); add them or rename the columns to match."
        )
    return table


def read_margins(
    path: str | Path | bytes,
    survey: Any = None,
    *,
    codebook: Codebook | None = None,
    name: str | None = None,
) -> list[pd.DataFrame]:
    """Read a tidy margins CSV (e.g. newer ONS figures) into raking margins.

    Parameters
    ----------
    path : str, Path or bytes
        The path of a CSV, or its content in memory (never written to disk),
        with a ``margin`` column naming each margin as its variables
        joined by ``" x "`` (``"district x age_band"``, ``"district x sex"``),
        one column per weighting variable and a ``population`` column of
        positive counts; cells of variables a margin does not use are blank.
        Districts may be given by name or ONS code.
    survey : Survey or DataFrame, optional
        See :func:`load_margins`: adds the "Not known" sex class.
    codebook : Codebook, optional
        Names the weighting margins and their valid categories. Default: the
        bundled codebook.
    name : str, optional
        The file name messages give for content in memory. Default
        ``margins.csv``.

    Returns
    -------
    list of DataFrame
        One DataFrame per margin, in the codebook's order, with the margin's
        variables and ``population``, ready for ``design.rake()``.

    Raises
    ------
    MarginsError
        If the file cannot be read, lacks columns, names an unknown margin or
        category, has a blank, non-numeric or non-positive population, repeats
        a cell, or if margins disagree on a district's (or the grand) total.
        The message names the file, line, column and value (up to 10 problems).

    Examples
    --------
    >>> from listening.design.margins import MARGINS_FILE
    >>> margins = read_margins(MARGINS_FILE)
    >>> [list(m.columns) for m in margins]
    [['district', 'age_band', 'population'], ['district', 'sex', 'population']]
    >>> len(read_margins(MARGINS_FILE.read_bytes(), name="upload.csv")) == len(margins)
    True
    """
    codebook = codebook or load_codebook()
    content = path if isinstance(path, bytes) else None
    file = Path(name or "margins.csv") if content is not None else Path(path)
    if content is None and not file.is_file():
        raise MarginsError(
            f"Margins file {file} does not exist; pass the path of a CSV laid out like "
            f"{MARGINS_FILE.name} (columns margin, the weighting variables, population)."
        )
    raw = _read_table(file, ["margin", "population"], content)
    margins = _parse(raw, file, codebook)
    if survey is not None:
        margins = with_unknown_sex(margins, survey, codebook=codebook)
    return margins


def _categories(codebook: Codebook) -> dict[str, dict[str, str]]:
    """Valid spellings of each weighting variable's categories, to their label."""
    districts = {name: name for name in codebook.districts}
    districts.update({code: name for name, code in codebook.districts.items() if code})
    known, unknown = _sex_labels(codebook)
    sex_column = str(codebook.weighting.get("sex_column", "sex"))
    return {
        codebook.district_column or "district": districts,
        codebook.age_band_column: {label: label for label in codebook.age_band_labels},
        sex_column: {label: label for label in [*known, unknown]},
    }


def _parse(raw: pd.DataFrame, file: Path, codebook: Codebook) -> list[pd.DataFrame]:
    specs = {margin_name(v): v for v in margin_variables(codebook)}
    variables = list(dict.fromkeys(v for vs in specs.values() for v in vs))
    used = {name for name in raw["margin"].str.strip() if name in specs}
    needed = list(dict.fromkeys(v for name in specs if name in used for v in specs[name]))
    lacking = [v for v in needed if v not in raw.columns]
    if lacking:
        raise MarginsError(
            f"Margins file {file} lacks the column(s) {', '.join(lacking)} that its margins "
            "use; add them (one column per weighting variable)."
        )
    if raw.empty:
        raise MarginsError(f"Margins file {file} has no rows; add one row per margin cell.")
    valid = _categories(codebook)
    problems: list[str] = []
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    for position, record in enumerate(raw.to_dict("records")):
        where = f"{file}, line {position + 2}"
        name = str(record["margin"]).strip()
        if name not in specs:
            problems.append(
                f"{where}, column 'margin': unknown margin {name!r}; use one of "
                f"{', '.join(repr(s) for s in specs)}."
            )
            continue
        row: dict[str, Any] = {}
        for variable in variables:
            value = str(record.get(variable, "")).strip()
            if variable not in specs[name]:
                if value:
                    problems.append(
                        f"{where}, column {variable!r}: value {value!r} but margin {name!r} "
                        f"does not use {variable}; leave the cell blank."
                    )
                continue
            labels = valid.get(variable)
            if not value:
                problems.append(f"{where}, column {variable!r}: blank; fill in the category.")
            elif labels is not None and value not in labels:
                problems.append(
                    f"{where}, column {variable!r}: unknown category {value!r}; use one of "
                    f"{', '.join(repr(v) for v in dict.fromkeys(labels.values()))}."
                )
            else:
                row[variable] = labels[value] if labels is not None else value
        population = _population(str(record["population"]).strip(), where, problems)
        if len(row) == len(specs[name]) and population is not None:
            row["population"] = population
            row["line"] = position + 2
            rows[name].append(row)
    margins = {name: pd.DataFrame(rows[name]) for name in specs if rows[name]}
    for name, table in margins.items():
        repeated = table[table.duplicated(specs[name], keep=False)]
        for line, values in zip(repeated["line"], repeated[specs[name]].values, strict=True):
            problems.append(
                f"{file}, line {line}: margin {name!r} repeats the cell {tuple(values)}; "
                "give each cell one row."
            )
    if not problems:
        problems = _total_problems(margins, specs, file)
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more problem(s)" if more else ""
        raise MarginsError(
            f"Margins file {file} has {len(problems)} problem(s):\n  " + "\n  ".join(shown) + tail
        )
    return [table.drop(columns="line").reset_index(drop=True) for table in margins.values()]


def _population(value: str, where: str, problems: list[str]) -> float | None:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        problems.append(
            f"{where}, column 'population': {value!r} is not a number; give a positive count."
        )
        return None
    if not math.isfinite(number) or number <= 0:
        problems.append(
            f"{where}, column 'population': {value!r} is not a positive count; every margin "
            "cell needs a population above zero (merge or drop empty categories)."
        )
        return None
    return number


def _total_problems(
    margins: dict[str, pd.DataFrame], specs: dict[str, list[str]], file: Path
) -> list[str]:
    """Margins must agree on the grand total and on totals over shared variables."""
    problems: list[str] = []
    names = list(margins)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = [v for v in specs[first] if v in specs[second]]
            a = margins[first].groupby(shared)["population"].sum() if shared else None
            b = margins[second].groupby(shared)["population"].sum() if shared else None
            if a is None or b is None:
                a = pd.Series({"all": margins[first]["population"].sum()})
                b = pd.Series({"all": margins[second]["population"].sum()})
            both = pd.concat([a.rename("a"), b.rename("b")], axis=1)
            off = both[~_close(both["a"], both["b"])]
            for key, (x, y) in zip(off.index, off.values, strict=True):
                cell = f"{', '.join(shared)} {key!r}" if shared else "the grand total"
                problems.append(
                    f"{file}: margins {first!r} and {second!r} disagree on {cell}: "
                    f"{_fmt(x)} versus {_fmt(y)}; scale one margin so both totals agree."
                )
    return problems


def _close(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.fillna(0.0), b.fillna(0.0)
    return (a - b).abs() <= TOTAL_TOLERANCE * pd.concat([a.abs(), b.abs()], axis=1).max(axis=1)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3f}"


def with_unknown_sex(
    margins: Sequence[pd.DataFrame], survey: Any, *, codebook: Codebook | None = None
) -> list[pd.DataFrame]:
    """Give every margin over ``sex`` a "Not known" class sized from the survey.

    The class has one share for the whole survey: the unweighted share of
    "Not known" among all the survey's respondents. In each cell of the
    margin's other variables (each district) that has a "Not known"
    respondent, the "Not known" row is the cell's population times that
    share, and the other sex rows are scaled down so the cell's total is
    unchanged. Cells with no "Not known" respondent, or that already have a
    "Not known" row, stay as they are. No target depends on any one cell's
    count, only on the survey's, which Who took part publishes (when at
    least :data:`UNKNOWN_SEX_MIN_COUNT`). This is what :func:`load_margins`
    does when given a survey.

    Parameters
    ----------
    margins : sequence of DataFrame
        Margins as :func:`read_margins` returns them (margins without the sex
        column pass through unchanged).
    survey : Survey or DataFrame
        A Survey (its ``.data`` is used) or a DataFrame with the margin's
        variables and ``sex``.
    codebook : Codebook, optional
        Names the sex column and its "Not known" label. Default: the bundled one.

    Returns
    -------
    list of DataFrame

    Raises
    ------
    FewUnknownSexError
        If a cell needs a "Not known" row and the survey has fewer than
        :data:`UNKNOWN_SEX_MIN_COUNT` (but at least one) respondents of
        unknown sex: the share would give their count away. Margins that
        already hold "Not known" rows for those cells are used as they are.
    MarginsError
        If the survey lacks the margin's variables or ``sex``.

    Examples
    --------
    >>> import pandas as pd
    >>> margin = pd.DataFrame({"district": ["Fenland"] * 2 + ["Cambridge"] * 2,
    ...                        "sex": ["Female", "Male"] * 2,
    ...                        "population": [50.0, 50.0, 100.0, 100.0]})
    >>> data = pd.DataFrame({"district": ["Fenland"] * 40 + ["Cambridge"] * 60,
    ...                      "sex": ["Female", "Male"] * 15 + ["Not known"] * 10
    ...                             + ["Female", "Male"] * 30})
    >>> with_unknown_sex([margin], data)[0]["population"].tolist()
    [45.0, 45.0, 10.0, 100.0, 100.0]
    """
    codebook = codebook or load_codebook()
    return [_with_unknown_sex(m, survey, codebook) for m in margins]


def _keys(frame: pd.DataFrame) -> np.ndarray:
    """One text key per row from the given columns (for matching data and margins)."""
    if frame.shape[1] == 0:
        return np.full(len(frame), "", dtype=object)
    keys = frame.iloc[:, 0].astype(str).to_numpy(dtype=object)
    for column in frame.columns[1:]:
        keys = keys + "\x1f" + frame[column].astype(str).to_numpy(dtype=object)
    return keys


def _with_unknown_sex(margin: pd.DataFrame, survey: Any, codebook: Codebook) -> pd.DataFrame:
    sex = str(codebook.weighting.get("sex_column", "sex"))
    if sex not in margin.columns:
        return margin
    _, unknown = _sex_labels(codebook)
    data = getattr(survey, "data", survey)
    if not isinstance(data, pd.DataFrame):
        raise MarginsError(
            f"load_margins(survey=...) needs a Survey or a DataFrame, not "
            f"{type(survey).__name__}; pass yl.read_survey(...) or its .data."
        )
    groups = [c for c in margin.columns if c not in (sex, "population")]
    lacking = [c for c in [*groups, sex] if c not in data.columns]
    if lacking:
        raise MarginsError(
            f"The survey data lack the column(s) {', '.join(lacking)} needed to size the "
            f"{unknown!r} {sex} class; read the file with yl.read_survey, which derives "
            f"{sex!r} from gender, or add the column(s)."
        )
    answered = data[[*groups, sex]].dropna()
    flag = (answered[sex].astype(str) == unknown).to_numpy()
    keys = _keys(margin[groups])
    is_unknown = (margin[sex].astype(str) == unknown).to_numpy()
    sized = np.isin(keys, _keys(answered.loc[flag, groups])) & ~np.isin(keys, keys[is_unknown])
    if not sized.any():
        return margin
    count = int(flag.sum())
    if count < UNKNOWN_SEX_MIN_COUNT:
        raise FewUnknownSexError(
            f"The survey has fewer than {UNKNOWN_SEX_MIN_COUNT} respondents whose {sex} is "
            f"{unknown!r} (gender described another way or not given). Their weighting "
            f"class in margin {margin_name([*groups, sex])!r} would be sized from that "
            f"count, and every weighted figure would give it away. Add {unknown!r} rows to "
            f"the margins file (for the bundled margins, a copy of {MARGINS_FILE.name}) with "
            f"the population you assume, one per {' x '.join(groups) or 'margin'} with such "
            f"respondents and the other {sex} rows reduced so the totals still agree; or "
            f"record these respondents' {sex}."
        )
    part = np.where(sized, count / len(answered), 0.0)
    scaled = margin.assign(population=margin["population"].to_numpy() * (1.0 - part))
    first = ~pd.Series(keys).duplicated().to_numpy() & sized
    totals = pd.Series(margin["population"].to_numpy()).groupby(keys).sum()
    extra = margin.loc[first].assign(
        **{sex: unknown, "population": totals[keys[first]].to_numpy() * part[first]}
    )
    order = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    out = pd.concat([scaled, extra])
    position = np.array([order[k] for k in _keys(out[groups])]) if groups else np.zeros(len(out))
    return out.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)


def load_margins(survey: Any = None, *, codebook: Codebook | None = None) -> list[pd.DataFrame]:
    """The bundled population margins, ready for ``design.rake()``.

    Returns ``[district x age_band, district x sex]``: DataFrames with columns
    ``district, age_band, population`` and ``district, sex, population``.

    The data's ``sex`` column (derived by ingest from gender: Girl -> Female,
    Boy -> Male, anything else, missing included -> "Not known") has a class
    that the Census does not count. Decision: when ``survey`` is given, each
    district with a "Not known" respondent gains a "Not known" row whose
    population is the district total times the *survey's* unweighted share
    of "Not known" (one share for the whole survey, as R's
    ``autumn::freeze_na_proportion`` and ``svyweight::impute_w8margin`` give a
    missing class its share of the whole sample), and Female and Male share
    the remainder in the Census ratio; the district total is unchanged. A
    district's own count is never used: its targets, and so the weighted
    figures, would give that count away. Districts with no "Not known"
    respondent get no such row; a survey with 1 to 9 of them (fewer than
    :data:`UNKNOWN_SEX_MIN_COUNT`) raises :class:`FewUnknownSexError`. Without
    ``survey`` only Female and Male rows are returned, so raking data that
    hold "Not known" raises ``MarginsError`` (pass the survey then).

    Parameters
    ----------
    survey : Survey or DataFrame, optional
        A Survey (its ``.data`` is used) or a DataFrame with the ``district``
        and ``sex`` columns.
    codebook : Codebook, optional
        Default: the bundled codebook.

    Returns
    -------
    list of DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"district": ["Fenland"] * 40 + ["Cambridge"] * 60,
    ...                      "sex": ["Female", "Male"] * 15 + ["Not known"] * 10
    ...                             + ["Female", "Male"] * 30})
    >>> by_sex = load_margins(data)[1]
    >>> fenland = by_sex[by_sex["district"] == "Fenland"].set_index("sex")["population"]
    >>> float(round(fenland["Not known"] / fenland.sum(), 2))
    0.1
    >>> "Not known" in set(by_sex.loc[by_sex["district"] == "Cambridge", "sex"])
    False
    """
    return read_margins(MARGINS_FILE, survey, codebook=codebook)


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild ``population_margins.csv`` from the ONS and Census tables.

    Run ``python -m listening.design.margins [--out PATH]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "margins.csv"
    >>> main(["--out", str(out)])
    0
    >>> out.read_text().splitlines()[0]
    'margin,district,age_band,sex,population'
    """
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--mye", default=str(MYE_FILE), help="ONS mid-year estimates CSV")
    parser.add_argument("--census", default=str(CENSUS_FILE), help="Census under-20 sex CSV")
    parser.add_argument("--out", default=str(MARGINS_FILE), help="where to write the margins")
    args = parser.parse_args(argv)
    table = build_margins(args.mye, args.census)
    table.to_csv(args.out, index=False, lineterminator="\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
