"""The ``listening`` command: briefing workbooks and ingest reports from the shell.

``listening brief DATA --codebook CB --out briefing.xlsx`` reads and checks a
survey file, weights it (strata and clusters from the codebook's design
section, raking to the bundled population margins or to ``--margins``),
tabulates every chosen question by every ``--by`` variable and writes one
workbook (optionally HTML and CSV files too). With ``--compare-with BEFORE
--before-codebook CB [--harmonise MAP]`` it adds a "Change since <wave>"
table for every harmonised question and breakdown
(:func:`listening.publish.change_table.comparable`; a question that is not
harmonised is skipped with a line saying so, or refused if named in
``--questions``). ``listening validate DATA --codebook CB`` prints the
ingest report. ``listening quotes DATA --out review.csv`` writes candidate
quotes for a reviewer, and ``listening quotes DATA --approve review.csv
--approvals approvals.csv`` records the approved ones
(:mod:`listening.publish.approvals`).

Bad input (a missing file, a broken codebook, margins that do not fit) ends
with exit code 2 and a one-line message on stderr, never a traceback; so do
bad arguments.

Every output path is checked before anything is written (:func:`check_outputs`):
no output may be an input file (the survey, the codebook, the margins), the
folders must exist, no two outputs may be the same file. A refusal writes
nothing at all.

Examples
--------
>>> main(["validate", "no-such-file.csv"])
2
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from listening.errors import ListeningError
from listening.paths import SAMPLE_DIR

if TYPE_CHECKING:
    import pandas as pd

    from listening.design.survey_design import SurveyDesign
    from listening.ingest.codebook import Codebook, Question
    from listening.ingest.harmonise import Harmonisation
    from listening.ingest.survey import Survey
    from listening.publish.change_table import ChangeTable
    from listening.publish.tables import Crosstab

COMBINE = "+"
MIN_QUOTE_BASE = 10
WORKBOOK_SUFFIX = ".xlsx"
BUNDLED_CODEBOOK = SAMPLE_DIR / "codebook.yaml"
BUNDLED_TARGETS_SOURCE = (
    "ONS mid-2020 population estimates, persons aged 11 to 18 by district and single year "
    "of age (district x age band); Census 2021, females and males aged under 20 by district, "
    "whose ratio splits each district's 11 to 18 total (district x sex)."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``listening`` command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name. Default: ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 on bad input or bad arguments.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    listening ...
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        return args.run(args)
    except ListeningError as err:
        print(f"listening: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"listening: error: {err.strerror or err}: {err.filename}", file=sys.stderr)
        return 2


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _parser() -> argparse.ArgumentParser:
    from listening import __version__

    parser = argparse.ArgumentParser(
        prog="listening",
        description="Briefing tables and ingest reports for youth safety surveys.",
    )
    parser.add_argument("--version", action="version", version=f"listening {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    brief = commands.add_parser(
        "brief",
        help="weight a survey and write a briefing workbook",
        description="Read, validate and weight a survey, tabulate questions by groups and "
        "write one Excel workbook (cover, contents, notes, a sheet per table).",
    )
    brief.add_argument("data", help="survey file (.csv, .xlsx, .sav or .parquet)")
    brief.add_argument("--codebook", help="codebook YAML (default: the bundled one)")
    weighting = brief.add_mutually_exclusive_group()
    weighting.add_argument(
        "--margins", help="population margins CSV (default: the bundled ONS/Census margins)"
    )
    weighting.add_argument(
        "--unweighted", action="store_true", help="do not rake (design weights only)"
    )
    brief.add_argument(
        "--by",
        action="append",
        metavar="COLUMN",
        help=f"group by this column; repeat for more tables; join columns with {COMBINE!r} "
        "for combined groups (district+age_band). Default: district",
    )
    brief.add_argument(
        "--questions",
        nargs="+",
        metavar="Q",
        help="questions to tabulate (default: every single and multi question but "
        "consent and the survey's design and profile columns)",
    )
    brief.add_argument("--min-base", type=_whole, default=10, help="suppress smaller groups")
    brief.add_argument("--ci", choices=("logit", "beta"), default="logit")
    brief.add_argument("--level", type=float, default=0.95, help="confidence level")
    brief.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    brief.add_argument("--html", metavar="DIR", help="also write one HTML table per file here")
    brief.add_argument("--csv", metavar="DIR", help="also write one tidy CSV per table here")
    brief.add_argument("--title", help="workbook title (default: the codebook's)")
    brief.add_argument("--date", type=_date, help="date on the cover, YYYY-MM-DD (default today)")
    brief.add_argument(
        "--approvals",
        help="approvals file from `listening quotes --approve`: add a Quotes sheet of the "
        "approved quotes whose answers are unchanged",
    )
    brief.add_argument(
        "--compare-with",
        metavar="BEFORE",
        help="the earlier wave's survey file: add a 'Change since <wave>' table for every "
        "harmonised question and breakdown",
    )
    brief.add_argument(
        "--before-codebook",
        metavar="YAML",
        help="with --compare-with: the earlier wave's codebook (default: --codebook's)",
    )
    brief.add_argument(
        "--harmonise",
        metavar="MAP",
        help="with --compare-with: YAML saying which questions and options of the two "
        "codebooks are the same (renamed questions, reworded options, wave labels)",
    )
    brief.add_argument(
        "--before-margins",
        metavar="CSV",
        help="with --compare-with: the earlier wave's population margins (default: the "
        "margins of the later wave)",
    )
    brief.add_argument("--quiet", action="store_true", help="no progress bar")
    brief.set_defaults(run=_brief)

    auditing = commands.add_parser(
        "audit",
        help="check published tables for small groups shown or recoverable",
        description="Read a briefing workbook or a folder of the CSV tables written by "
        "'brief', and check that no group below the minimum base is shown or can be worked "
        "out from the tables together (linear programming over the joint cells). Prints "
        "each violation with the equation that recovers it; exit code 2 when any is found.",
    )
    auditing.add_argument("path", help="briefing workbook (.xlsx) or folder of CSV tables")
    auditing.add_argument("--min-base", type=_whole, default=10, help="minimum base")
    auditing.add_argument("--codebook", help="codebook YAML (default: the bundled one)")
    auditing.add_argument(
        "--complete",
        nargs="+",
        metavar="COLUMN",
        default=[],
        help="grouping columns every respondent has (besides the codebook's required ones)",
    )
    auditing.add_argument(
        "--empty",
        action="append",
        default=[],
        metavar="COLUMN=VALUE,...",
        help="a combination of groups known to be empty, such as "
        "'age_band=16-18,school_year=Year 7'; repeat for more",
    )
    auditing.set_defaults(run=_audit)

    validate = commands.add_parser(
        "validate",
        help="read a survey and print the ingest report",
        description="Read a survey file against the codebook and print what was kept and "
        "rejected, by rule, and item non-response.",
    )
    validate.add_argument("data", help="survey file (.csv, .xlsx, .sav or .parquet)")
    validate.add_argument("--codebook", help="codebook YAML (default: the bundled one)")
    validate.set_defaults(run=_validate)

    quotes = commands.add_parser(
        "quotes",
        help="draw candidate quotes for review, or record a reviewed file's approvals",
        description="With --out: write candidate quotes (redacted, with what was removed, "
        "theme and group) to a CSV file for a reviewer, who writes approve, edit or reject "
        "in each row's decision column. The file holds the original answers: keep it as "
        "privately as the survey. With --approve: check the reviewed file against the "
        "survey and add its approved quotes to the --approvals file, which the explorer "
        "and `brief --approvals` publish from.",
    )
    quotes.add_argument("data", help="survey file (.csv, .xlsx, .sav or .parquet)")
    quotes.add_argument("--codebook", help="codebook YAML (default: the bundled one)")
    quotes.add_argument(
        "--question", help="free-text question (default: the first with a coding frame)"
    )
    quotes.add_argument(
        "--by", help="group column (default: the codebook's district column); 'none': everyone"
    )
    quotes.add_argument(
        "--min-base", type=_whole, default=10, help="smallest theme x group pool (at least 10)"
    )
    quotes.add_argument("--per-pool", type=_whole, default=5, help="candidates per pool")
    quotes.add_argument("--seed", type=_whole, default=0, help="seed of the random draw")
    mode = quotes.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", help="review file to write (.csv)")
    mode.add_argument("--approve", metavar="REVIEW", help="a reviewed file to record")
    quotes.add_argument(
        "--approvals", help="with --approve: approvals file to add to (created if missing)"
    )
    quotes.set_defaults(run=_quotes)
    return parser


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-01") from None


def _read(args: argparse.Namespace) -> tuple[Codebook, Survey]:
    from listening.ingest.codebook import load_codebook
    from listening.ingest.survey import read_survey

    codebook = load_codebook(args.codebook)
    return codebook, read_survey(args.data, codebook)


def _validate(args: argparse.Namespace) -> int:
    _, survey = _read(args)
    print(survey.report())
    return 0


def _quotes(args: argparse.Namespace) -> int:
    from listening.publish import approvals as review

    if args.min_base < MIN_QUOTE_BASE:
        raise ListeningError(
            f"--min-base {args.min_base} is below {MIN_QUOTE_BASE}; quotes come only from "
            f"pools of at least {MIN_QUOTE_BASE} answers."
        )
    if args.approve and not args.approvals:
        raise ListeningError("--approve needs --approvals FILE, the approvals file to add to.")
    output = Path(args.out or args.approvals)
    if output.suffix.lower() != ".csv":
        raise ListeningError(
            f"refusing to write {output}: review and approvals files are CSV files; "
            f"for example {output.with_suffix('.csv').name}."
        )
    outputs = [("quotes --out" if args.out else "--approvals", output)]
    check_outputs(
        outputs,
        [("the survey", Path(args.data))]
        + [("the codebook", Path(args.codebook) if args.codebook else BUNDLED_CODEBOOK)]
        + ([("the review", Path(args.approve))] if args.approve else []),
    )
    codebook, survey = _read(args)
    question = _text_question(codebook, args.question)
    options = review.redaction_options(codebook, survey.data)
    if args.approve:
        earlier = review.read_approvals(args.approvals) if Path(args.approvals).exists() else None
        approved = review.record_approvals(
            review.read_review(args.approve),
            earlier,
            survey.data,
            question.name,
            id_column=codebook.id_column,
            **options,
        )
        review.write_approvals(approved, args.approvals)
        print(f"Wrote {args.approvals}: {len(approved)} approved quotes.")
        return 0
    by = None if (args.by or "").lower() == "none" else (args.by or codebook.district_column)
    drawn = review.candidates(
        survey.data,
        question.name,
        id_column=codebook.id_column,
        coding_frame=question.coding_frame,
        by=by or None,
        min_base=args.min_base,
        per_pool=args.per_pool,
        seed=args.seed,
        **options,
    )
    review.write_review(drawn, args.out)
    print(
        f"Wrote {args.out}: {len(drawn)} candidate quotes from pools of at least "
        f"{args.min_base} answers. It holds the original answers: keep it private."
    )
    return 0


def _text_question(codebook: Codebook, name: str | None) -> Question:
    if name is not None:
        question = codebook.question(name)
        if question.type != "text" or not question.coding_frame:
            raise ListeningError(
                f"Question {name!r} is not a free-text question with a coding frame; "
                "name one that is (type: text, with coding_frame)."
            )
        return question
    coded = [q for q in codebook.of_type("text") if q.coding_frame]
    if not coded:
        raise ListeningError(
            "The codebook has no free-text question with a coding frame; add a "
            "coding_frame to a text question, or pass --question."
        )
    return coded[0]


def default_questions(codebook: Codebook, by: Sequence[Sequence[str]]) -> list[str]:
    """Questions a briefing covers by default.

    Every single and multi question except consent, the columns that the
    codebook uses for the sample design and weighting (required columns,
    district, strata, clusters, the column ``sex`` is derived from) and the
    ``by`` columns.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> questions = default_questions(load_codebook(), [["district"]])
    >>> questions[:2], "gender" in questions, "consent" in questions
    (['school_year', 'ethnicity'], False, False)
    """
    skip = {
        codebook.consent_column,
        codebook.district_column,
        codebook.strata,
        codebook.clusters,
        codebook.weighting.get("sex_from"),
        *codebook.required_columns,
        *(column for group in by for column in group),
    }
    return [q.name for q in codebook.of_type("single", "multi") if q.name not in skip]


def _comparison(
    args: argparse.Namespace, codebook: Codebook, questions: Sequence[str]
) -> tuple[Codebook, Harmonisation, list[str]] | None:
    """The earlier wave's codebook, the mapping and the questions to compare, or None."""
    from listening.ingest.codebook import load_codebook
    from listening.ingest.harmonise import NotHarmonisedError, read_harmonisation
    from listening.publish.change_table import comparable, with_wave_labels

    if not args.compare_with:
        for option, value in (
            ("--before-codebook", args.before_codebook),
            ("--harmonise", args.harmonise),
            ("--before-margins", args.before_margins),
        ):
            if value:
                raise ListeningError(
                    f"{option} is for comparing two waves: add --compare-with BEFORE.csv (the "
                    f"earlier wave's survey file), or leave out {option}."
                )
        return None
    if args.unweighted and args.before_margins:
        raise ListeningError(
            "--before-margins with --unweighted: neither wave is raked; leave out one of them."
        )
    before_codebook = load_codebook(args.before_codebook or args.codebook)
    mapping = with_wave_labels(
        read_harmonisation(args.harmonise) if args.harmonise else None, codebook, before_codebook
    )
    compared, skipped = comparable(questions, codebook, before_codebook, mapping)
    if skipped and args.questions:
        question, err = next(iter(skipped.items()))
        raise NotHarmonisedError(
            f"--compare-with: {question!r} (named in --questions) cannot be compared with the "
            f"{mapping.before_label} wave: {_one_line(err)} Or leave {question!r} out of "
            "--questions."
        )
    if not compared:
        raise NotHarmonisedError(
            f"--compare-with: none of the questions can be compared with the "
            f"{mapping.before_label} wave: "
            + " ".join(f"{q}: {_one_line(e)}" for q, e in list(skipped.items())[:3])
        )
    for question, err in skipped.items():
        print(f"Not compared with {mapping.before_label}: {question}: {_one_line(err)}")
    return before_codebook, mapping, compared


def _weighted(
    args: argparse.Namespace, survey: Survey, codebook: Codebook, margins: str | None
) -> tuple[SurveyDesign, list[pd.DataFrame] | None, str | None]:
    """The survey's design, raked unless ``--unweighted``; the published targets and source."""
    from listening.design.margins import (
        UNKNOWN_SEX_NOTE,
        load_margins,
        read_margins,
        with_unknown_sex,
    )
    from listening.design.survey_design import SurveyDesign

    design = SurveyDesign.from_survey(survey)
    if args.unweighted:
        return design, None, None
    if margins:
        targets = read_margins(margins, codebook=codebook)
        source = f"Population margins file {Path(margins).name}."
    else:
        targets = load_margins(codebook=codebook)
        source = BUNDLED_TARGETS_SOURCE
    # The published targets go in the workbook; the "Not known" sex class is sized
    # from the survey's share of them, so it is used for raking only.
    design = design.rake(with_unknown_sex(targets, survey, codebook=codebook))
    return design, targets, f"{source} {UNKNOWN_SEX_NOTE}"


def _before_design(
    args: argparse.Namespace, comparison: tuple[Codebook, Harmonisation, list[str]], by: list
) -> SurveyDesign:
    """The earlier wave (``--compare-with``), read with its codebook and weighted likewise."""
    from listening.ingest.survey import read_survey

    before = read_survey(args.compare_with, comparison[0])
    missing = sorted({c for b in by for c in b} - set(before.data.columns))
    if missing:
        raise ListeningError(
            f"--compare-with {args.compare_with}: the earlier wave has no column "
            f"{', '.join(missing)} to group by; compare by columns both waves have "
            "(--by), or read the earlier wave with its own codebook (--before-codebook)."
        )
    design, _, _ = _weighted(args, before, comparison[0], args.before_margins or args.margins)
    return design


def _brief(args: argparse.Namespace) -> int:
    from listening.ingest.codebook import load_codebook
    from listening.ingest.survey import read_survey
    from listening.publish.briefing import write_briefing
    from listening.publish.change_table import change_tables
    from listening.publish.disclosure import DisclosurePolicy
    from listening.publish.tables import crosstabs

    codebook = load_codebook(args.codebook)
    by = [part.split(COMBINE) for part in (args.by or [codebook.district_column or "district"])]
    questions = args.questions or default_questions(codebook, by)
    for name in questions:
        codebook.question(name)
    comparison = _comparison(args, codebook, questions)
    jobs = [(q, b) for q in questions for b in by]
    extras = _extra_files(args, jobs)
    change_extras = (
        _extra_files(args, [(q, b) for q in comparison[2] for b in by], prefix="change")
        if comparison
        else []
    )
    check_outputs(
        [("--out", Path(args.out))]
        + [(option, file) for option, _, file in [*extras, *change_extras]],
        _inputs(args),
        folders=[(o, Path(f)) for o, f in (("--html", args.html), ("--csv", args.csv)) if f],
    )
    survey = read_survey(args.data, codebook)
    design, targets, targets_source = _weighted(args, survey, codebook, args.margins)
    policy = DisclosurePolicy.from_codebook(codebook, min_base=args.min_base)
    before_design = _before_design(args, comparison, by) if comparison else None
    # one publication: every table of a question is protected with the others
    tables = crosstabs(
        design,
        questions,
        by,
        policy=policy,
        ci=args.ci,
        level=args.level,
        codebook=codebook,
        progress=not args.quiet,
    )
    changes: list[ChangeTable] = []
    if comparison:
        changes = change_tables(
            design,
            before_design,
            comparison[2],
            by,
            level=args.level,
            harmonise=comparison[1],
            policy=policy,
            published=tables,
        )
    out = write_briefing(
        args.out,
        tables,
        quotes=_approved_quotes(args, codebook, survey),
        title=args.title or codebook.title,
        source=codebook.source,
        date=args.date,
        targets=targets,
        targets_source=targets_source,
        changes=changes,
    )
    _write_each(tables, extras)
    _write_each(changes, change_extras)
    hidden = sum(int(t.table.drop_duplicates(list(t.by))["suppressed"].sum()) for t in tables)
    since = (
        f", {len(changes)} change tables since {comparison[1].before_label}" if comparison else ""
    )
    print(
        f"Wrote {out}: {len(tables)} tables, {hidden} groups suppressed "
        f"(minimum base {args.min_base}){since}."
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from listening.ingest.codebook import load_codebook
    from listening.publish.audit import audit
    from listening.publish.disclosure import DisclosurePolicy

    policy = DisclosurePolicy.from_codebook(load_codebook(args.codebook), min_base=args.min_base)
    empty = [dict(part.split("=", 1) for part in text.split(",")) for text in args.empty]
    policy = DisclosurePolicy(
        min_base=policy.min_base, complete=(*policy.complete, *args.complete), empty=empty
    )
    result = audit(args.path, policy=policy)
    print(result)
    return 0 if result.ok else 2


def _approved_quotes(
    args: argparse.Namespace, codebook: Codebook, survey: Survey
) -> pd.DataFrame | None:
    """The ``--approvals`` quotes still publishable, or None without ``--approvals``."""
    if not args.approvals:
        return None
    import pandas as pd

    from listening.publish import approvals as review

    approved = review.read_approvals(args.approvals)
    question = _text_question(codebook, None)
    parts = [  # each quote under the grouping it was reviewed for
        review.publishable(
            approved[approved["by"] == by],
            survey.data,
            question.name,
            id_column=codebook.id_column,
            coding_frame=question.coding_frame,
            by=by or None,
            min_base=max(args.min_base, MIN_QUOTE_BASE),
        )
        for by in approved["by"].unique()
    ]
    return pd.concat(parts, ignore_index=True) if parts else None


def _inputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files ``brief`` reads: the survey, the codebook and the margins (bundled or not)."""
    from listening.design.margins import MARGINS_FILE

    inputs = [("the survey", Path(args.data))]
    inputs.append(("the codebook", Path(args.codebook) if args.codebook else BUNDLED_CODEBOOK))
    if not args.unweighted:
        inputs.append(("the margins", Path(args.margins) if args.margins else MARGINS_FILE))
    if args.approvals:
        inputs.append(("the approvals", Path(args.approvals)))
    if getattr(args, "compare_with", None):
        inputs.append(("the earlier wave's survey", Path(args.compare_with)))
        for role, file in (
            ("the earlier wave's codebook", args.before_codebook),
            ("the harmonisation mapping", args.harmonise),
            ("the earlier wave's margins", args.before_margins),
        ):
            if file:
                inputs.append((role, Path(file)))
    return inputs


def _extra_files(
    args: argparse.Namespace, jobs: Sequence[tuple[str, Sequence[str]]], prefix: str = "table"
) -> list[tuple[str, int, Path]]:
    """The ``--html`` and ``--csv`` files to write: (option, table index, path)."""
    from listening.ingest.codebook import slug

    files = []
    for option, folder, kind in (("--html", args.html, "html"), ("--csv", args.csv, "csv")):
        if not folder:
            continue
        for number, (question, groups) in enumerate(jobs, start=1):
            name = f"{prefix}_{number}_{slug(question)}_by_{slug('_'.join(groups))}.{kind}"
            files.append((option, number - 1, Path(folder) / name))
    return files


def _write_each(
    tables: Sequence[Crosstab | ChangeTable], files: list[tuple[str, int, Path]]
) -> None:
    for folder in dict.fromkeys(file.parent for _, _, file in files):
        folder.mkdir(exist_ok=True)
    for _, index, file in files:
        if file.suffix == ".html":
            file.write_text(tables[index].to_html(), encoding="utf-8")
        else:
            tables[index].to_csv(file)


def check_outputs(
    outputs: Sequence[tuple[str, Path]],
    inputs: Sequence[tuple[str, Path]],
    *,
    folders: Sequence[tuple[str, Path]] = (),
) -> None:
    """Refuse, before anything is written, any output that could do harm.

    Every output file must differ from every input file (compared by
    resolved path, and with :func:`os.path.samefile` where both exist, so
    links are caught), from every other output, and from any existing
    folder; its folder must exist (or be one of ``folders``, which are
    created) and be writable. A workbook output (``--out``) must end in
    ``.xlsx``. Each of ``folders`` must be a folder or not exist yet, with
    an existing parent.

    Parameters
    ----------
    outputs : sequence of (str, Path)
        The option that names each file to write (``"--out"``) and the file.
    inputs : sequence of (str, Path)
        What each input file is (``"the survey"``) and the file.
    folders : sequence of (str, Path), optional
        Folders that will be created if missing (``--html DIR``), by option.

    Raises
    ------
    ListeningError
        On the first output refused, naming the option, the path and how to fix it.

    Examples
    --------
    >>> from pathlib import Path
    >>> survey = Path("survey.csv")
    >>> check_outputs([("--out", Path("brief.xlsx"))], [("the survey", survey)])
    >>> check_outputs([("--out", Path("./survey.csv"))], [("the survey", survey)])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    listening.errors.ListeningError: refusing to write --out survey.csv: it is the survey ...
    """
    for option, folder in folders:
        _check_folder(option, folder, inputs)
    created = {_key(folder) for _, folder in folders if not folder.exists()}
    seen: dict[str, tuple[str, Path]] = {_key(f): (o, f) for o, f in folders}
    for option, file in outputs:
        for role, source in inputs:
            if _same(file, source):
                raise ListeningError(
                    f"refusing to write {option} {file}: it is {role} ({source}); "
                    f"choose another file name for {option}."
                )
        key = _key(file)
        if key in seen:
            first, earlier = seen[key]
            raise ListeningError(
                f"refusing to write {option} {file}: {first} writes the same path "
                f"({earlier}); give them different names."
            )
        seen[key] = (option, file)
        if option == "--out" and file.suffix.lower() != WORKBOOK_SUFFIX:
            raise ListeningError(
                f"refusing to write --out {file}: a briefing workbook must end in "
                f"{WORKBOOK_SUFFIX}; for example --out {file.with_suffix(WORKBOOK_SUFFIX).name}."
            )
        if file.exists() and not file.is_file():
            raise ListeningError(
                f"refusing to write {option} {file}: it is a folder or another non-file; "
                f"choose a file name for {option}."
            )
        parent = file.parent
        if _key(parent) in created:
            continue
        if not parent.is_dir():
            raise ListeningError(
                f"cannot write {option} {file}: the folder {parent} does not exist; "
                f"create it first or choose another {option}."
            )
        if not os.access(parent, os.W_OK) or (file.exists() and not os.access(file, os.W_OK)):
            raise ListeningError(
                f"cannot write {option} {file}: permission denied; "
                f"choose a folder you can write to for {option}."
            )


def _check_folder(option: str, folder: Path, inputs: Sequence[tuple[str, Path]]) -> None:
    for role, source in inputs:
        if _same(folder, source):
            raise ListeningError(
                f"refusing to write {option} {folder}: it is {role} ({source}); "
                f"{option} takes a folder for the files it writes."
            )
    if folder.exists() and not folder.is_dir():
        raise ListeningError(
            f"refusing to write {option} {folder}: it is a file, not a folder; "
            f"{option} takes a folder (created if missing) for one file per table."
        )
    if not folder.exists() and not folder.parent.is_dir():
        raise ListeningError(
            f"cannot write {option} {folder}: its parent folder {folder.parent} does not "
            f"exist; create it first or choose another {option} folder."
        )


def _key(path: Path) -> str:
    return os.path.normcase(str(path.resolve()))


def _same(one: Path, other: Path) -> bool:
    if _key(one) == _key(other):
        return True
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
