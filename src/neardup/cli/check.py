"""``neardup check``: a CI gate. Checks new documents against an index (``--index``) or the
documents of other files (``--against``), and exits 1 when any is a near-duplicate, or with
``--containment`` (or ``--preset copies``) when any copies part of another document or has
part of it copied.

``--containment``, ``--max-df``, ``--rewrite``, ``--formula-df`` and ``--preset`` are
chosen by each check, whatever the index: the index keeps the fingerprints a containment
search needs (format 2 on), the 4-grams and texts of the rewrite search and the judgement
(format 3 on) and its own parameters (threshold, n-grams, ...), which a preset does not
change; with ``--against`` the preset's threshold applies too. An index of format 1
answers Jaccard checks only.

Pairs a team has accepted are kept in a baseline file (``--write-baseline``, then
``--baseline``)::

    {"format": "neardup-baseline", "version": 1, "parameters": {...},
     "pairs": [{"a": ..., "b": ..., "jaccard": ...}]}

Output formats: those of ``neardup scan`` (with evidence passages) plus ``github``
(workflow-command annotations) and ``junit`` (JUnit XML, one test case per new document).
Exit codes: 0 when no near-duplicate is found, 1 when any is, 2 on errors.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

from ..errors import DuplicateIdError, NeardupError
from ..evidence.checked import checked_documents
from ..evidence.passages import add_passages
from ..formats import CHECK_FORMATS, FORMATS
from ..formats.github import render_github
from ..formats.shared import plural
from ..formats.untrusted import safe_output
from ..index import MEMORY, DuplicateIndex
from ..io.documents import Document
from ..io.outputs import refuse_input_as_output
from ..report import DuplicateReport, Pair, Skipped, set_apart_shown
from .check_spark import SPARK_ENGINE_HELP, check_spark_usage, query_spark
from .index import open_index, wait_option
from .inputs import InputReader
from .messages import fail, note, warn
from .options import (
    STDIN,
    InputSettings,
    QuerySettings,
    engine_options,
    index_input_options,
    index_parameter_options,
    query_options,
    root_option,
)
from .output import check_output_path, rendered, replace_file, report_format, write_report

BASELINE_FORMAT = "neardup-baseline"
BASELINE_VERSION = 1


@click.command(
    "check",
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="CI gate: fail (exit 1) when new documents duplicate others.",
    epilog="""\b
Examples:
  neardup check drafts/ --index corpus.ndx      # exit 1 on a near-duplicate
  neardup check new.jsonl --against published.jsonl -o report.html
  neardup check new/ -i corpus.ndx --containment 0.3   # partial copies too
  neardup check new/ -i corpus.ndx -f github    # GitHub Actions annotations
  neardup check new/ -i corpus.ndx -f junit -o results.xml
  neardup check new/ -i corpus.ndx --write-baseline ok.json  # accept these
  neardup check new/ -i corpus.ndx --baseline ok.json --add  # gate the rest
""",
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--index", "-i", "index_path", metavar="INDEX",
              help="Check against this index (see `neardup index create`).")
@click.option("--against", "-a", multiple=True, metavar="PATH",
              help="Check against the documents of PATH instead of an index (repeatable).")
@click.option("--add", "add_after", is_flag=True,
              help="Add the checked documents to the index when the check passes (documents "
                   "whose id is indexed are replaced).")
@click.option("--baseline", metavar="FILE",
              help="Accept the pairs listed in FILE (written by --write-baseline).")
@click.option("--write-baseline", metavar="FILE",
              help="Write every pair found to FILE as accepted, and exit 0.")
@index_parameter_options(defaults=False)
@query_options
@index_input_options
@root_option
@wait_option
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS + CHECK_FORMATS),
              default=None,
              help="Report format [default: from the --output suffix (.xml: junit), else text].")
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--passages/--no-passages", default=True, show_default=True,
              help="Find the passages each pair shares (text, markdown, html, json reports).")
@click.option("--quiet", "-q", is_flag=True, help="No warnings and no summary on stderr.")
@engine_options(SPARK_ENGINE_HELP)
def check(
    paths: tuple[str, ...],
    index_path: str | None,
    against: tuple[str, ...],
    add_after: bool,
    baseline: str | None,
    write_baseline: str | None,
    parameters: dict[str, Any],
    query: QuerySettings,
    inputs: InputSettings,
    root: str,
    wait: float,
    fmt: str | None,
    output_path: str | None,
    passages: bool,
    quiet: bool,
    engine: str,
    spark_master: str,
) -> None:
    """Check the documents of PATH... for near-duplicates of indexed documents and of each
    other.

    Every new document that is a near-duplicate of an indexed one (or, with --against, of a
    document of those files) or of another new one is reported, naming the one it
    duplicates. A new document whose id is already indexed is a new version of that
    document: the indexed version is compared with none of the checked documents. The id
    of a file's document is its path relative to --root (the current directory), as
    `neardup index add` gives it.

    With --containment C (or --preset copies), a new document that shares at least C of
    the smaller document with an indexed or another new one (it copies part of it, or
    part of it was copied) is reported too, with the share of each document found in the
    others (the copy ratios) and the passages. --preset copies also searches rewritten
    copies and judges every pair as neardup scan --preset copies does (copies reported, the
    others set apart). Each check chooses --containment, --max-df, --rewrite, --formula-df
    and --preset; an index made by neardup before fingerprints were kept (format 1) must be
    rebuilt for them, one made before format 3 for --rewrite, --formula-df and --preset
    copies.

    Each checked document gets a page in the report (text, Markdown, HTML, JSON): its
    share found in the other documents, its sources numbered with their shares and, in the
    HTML and Markdown reports, its text with each copied span numbered by its source.

    Parameter options given with --index must match the index's (otherwise an error); with
    --against they choose the comparison (defaults as `neardup scan`).

    A baseline written with other parameters is used with a warning (with --strict: an
    error), since its pairs were found another way.

    Exit status: 0 when no near-duplicate (or copy) is found, 1 when any is (pairs accepted
    by --baseline do not count), 2 for usage errors and unusable inputs.
    """
    started = time.perf_counter()
    fmt = report_format(fmt, output_path, FORMATS + CHECK_FORMATS)
    _check_usage(paths, index_path, against, add_after)
    if engine == "spark":
        check_spark_usage(index_path, add_after)
    check_output_path(output_path)
    check_output_path(write_baseline)
    accepted, recorded = load_baseline(baseline, quiet) if baseline else (set(), None)
    reader = InputReader(paths, inputs, quiet=quiet, name_skipped="id", root=root,
                         skip_reports=False)  # a gate: a file made to look like a report
    others = InputReader(against, inputs, quiet=quiet, name_skipped="id",  # is checked too
                         root=root) if against else None
    _refuse_inputs_as_outputs(reader, others, index_path, baseline, output_path, write_baseline)
    new_docs = _read_all(reader)
    if not any(doc.text.strip() for doc in new_docs):
        _nothing_to_check(paths, inputs.strict, quiet)
    if engine == "spark":
        found, stored = query_spark(new_docs, str(index_path), parameters, query, reader,
                                    spark_master)
        found = _with_skipped(found, reader.skipped)
        report, texts = _reported(found, new_docs, fmt, passages, (baseline, recorded, accepted),
                                  lambda ids: {i: stored[i] for i in ids if i in stored},
                                  inputs.strict, quiet)
        if write_baseline:
            save_baseline(write_baseline, found)
    else:
        comparison = _comparison_index(index_path, others, parameters, query.preset, wait)
        with comparison as idx:
            found = _with_skipped(_query(idx, new_docs, query, reader), reader.skipped)
            report, texts = _reported(found, new_docs, fmt, passages,
                                      (baseline, recorded, accepted),
                                      lambda ids: _index_texts(idx, ids, quiet),
                                      inputs.strict, quiet)
            if write_baseline:
                save_baseline(write_baseline, found)
            if add_after and (not report.pairs or write_baseline):
                _add_checked(idx, new_docs, index_path, quiet)
    report.seconds = time.perf_counter() - started
    passed = not report.pairs or bool(write_baseline)
    page = (safe_output(render_github(report, new_docs, accepted=True))  # a passing run
            if fmt == "github" and write_baseline else  # (no errors), escaped as render does
            rendered(report, fmt, output_path, texts=texts, checked=new_docs))
    write_report(page, output_path)
    if fmt not in ("text", "github") or output_path:
        written = f"; report written to {output_path}" if output_path else ""
        note(_summary(report, found, len(new_docs), write_baseline) + written, quiet)
    elif baseline:
        _note_baseline(baseline, found, report, quiet)
    if baseline:
        _note_stale(baseline, accepted, found, new_docs, quiet)
    sys.exit(0 if passed else 1)


# ---------------------------------------------------------------------------- the steps


def _check_usage(
    paths: tuple[str, ...], index_path: str | None, against: tuple[str, ...], add_after: bool
) -> None:
    """Usage errors (exit 2): one of --index and --against, --add only with --index, standard
    input read once."""
    if bool(index_path) == bool(against):
        raise click.UsageError("give exactly one of --index INDEX and --against PATH")
    if add_after and not index_path:
        raise click.UsageError("--add needs --index")
    if STDIN in paths and STDIN in against:
        raise click.UsageError("standard input ('-') can be given only once")


def _refuse_inputs_as_outputs(
    reader: InputReader, others: InputReader | None, index_path: str | None,
    baseline: str | None, output_path: str | None, write_baseline: str | None,
) -> None:
    """Exit with status 2 when the report or the baseline written would replace a file the
    check reads (a checked file, one of --against, the index, the baseline) or each other."""
    read = [str(path) for path, _ in reader.files]
    read += [str(path) for path, _ in others.files] if others is not None else []
    read += [path for path in (index_path, baseline) if path]
    try:
        refuse_input_as_output(output_path, read, "report")
        refuse_input_as_output(write_baseline, read, "baseline")
        if output_path and write_baseline:
            refuse_input_as_output(write_baseline, [output_path], "baseline")
    except NeardupError as exc:
        fail(str(exc))


def _read_all(reader: InputReader) -> list[Document]:
    """The documents to check (exit 2 on an unusable one with --strict)."""
    try:
        return list(reader.documents())
    except NeardupError as exc:
        fail(str(exc))


def _nothing_to_check(paths: tuple[str, ...], strict: bool, quiet: bool) -> None:
    """Say that the inputs hold no text to check (exit 2 with ``--strict``): a gate that
    checked nothing passes, which a pipeline that lost its batch must not mistake for a
    clean one."""
    message = (f"nothing to check: {', '.join(paths)} "
               f"{'holds' if len(paths) == 1 else 'hold'} no document with text")
    if strict:
        fail(message + " (--strict)")
    warn(message + "; the check passes (exit 0), with --strict it fails (exit 2)", quiet)


def _comparison_index(
    index_path: str | None, others: InputReader | None, parameters: dict[str, Any],
    preset: str | None, wait: float,
) -> DuplicateIndex:
    """The index to check against: the file ``--index``, made with ``parameters`` if any
    were given (its query glances at the file first and checks what it reads, see
    :meth:`~neardup.index.DuplicateIndex.glance`), or an index in memory of the documents of
    ``--against``, made with the ``preset``'s parameters (its threshold applies: the
    comparison is made for this check) and those given."""
    if index_path or others is None:
        return open_index(str(index_path), parameters, wait)
    try:
        idx = DuplicateIndex.create(MEMORY, preset=preset, **parameters)
        idx.add(others.documents())
    except DuplicateIdError as exc:
        fail(f"--against: {others.duplicate_message(exc)}")
    except NeardupError as exc:
        fail(str(exc))
    return idx


def _query(
    idx: DuplicateIndex, new_docs: list[Document], query: QuerySettings, reader: InputReader
) -> DuplicateReport:
    """The near-duplicates (and with a containment, the copies) of the new documents
    (read by ``reader``), in the index and among themselves."""
    try:
        judged = query.judged()  # the rewrite search and the copies judgement, if any
        return idx.query(new_docs, containment=query.chosen_containment, max_df=query.max_df,
                         rewrite=judged.get("rewrite"), formula_df=judged.get("formula_df"))
    except DuplicateIdError as exc:
        fail(reader.duplicate_message(exc))
    except NeardupError as exc:
        fail(str(exc))


def _with_skipped(report: DuplicateReport, skipped: list[Skipped]) -> DuplicateReport:
    """The report, also counting and listing the inputs skipped while reading."""
    return replace(
        report,
        skipped=[*skipped, *report.skipped],
        counts=replace(
            report.counts,
            documents=report.counts.documents + len(skipped),
            skipped=report.counts.skipped + len(skipped),
        ),
    )


def _reported(
    found: DuplicateReport, new_docs: list[Document], fmt: str, passages: bool,
    baseline: tuple[str | None, dict[str, Any] | None, set[frozenset[str]]],
    stored_texts: Callable[[set[str]], dict[str, str]], strict: bool, quiet: bool,
) -> tuple[DuplicateReport, dict[str, str]]:
    """The report of what a check ``found``: the pairs the baseline (its path, recorded
    parameters and accepted pairs) accepts taken out, the passages (the texts of the stored
    documents from ``stored_texts``) and each checked document's page as ``fmt`` needs them;
    and the texts."""
    path, recorded, accepted = baseline
    if path and recorded is not None:
        _check_baseline_parameters(path, recorded, found, strict, quiet)
    report = without_accepted(found, accepted)
    texts: dict[str, str] = {}
    copies = report.parameters.containment is not None  # the copy ratios, in any format
    if (fmt in FORMATS or copies) and (report.pairs or report.set_apart) and passages:
        report, texts = _with_passages(report, new_docs, stored_texts, quiet)
    if fmt in FORMATS:  # each checked document's page
        originals = {d.id: d.text for d in new_docs}
        report.checked = checked_documents(report, originals, list(originals))
        texts = {**originals, **texts}
    return report, texts


def _index_texts(idx: DuplicateIndex, involved: set[str], quiet: bool) -> dict[str, str]:
    """The stored texts of the indexed documents ``involved`` (a warning when the index
    keeps only their normalized texts)."""
    texts = idx.texts(involved)
    if involved and idx.store_text and not idx.keeps_originals:
        warn(f"{idx.path}: this index (format {idx.format_version}) keeps only the normalized "
             "texts of its documents: their passages are shown without punctuation; rebuild "
             "it (`neardup index create NEW_INDEX` with its parameters, `neardup index add "
             "NEW_INDEX PATH...`) to show them as written", quiet)
    return texts


def _with_passages(
    report: DuplicateReport, new_docs: list[Document],
    stored_texts: Callable[[set[str]], dict[str, str]], quiet: bool,
) -> tuple[DuplicateReport, dict[str, str]]:
    """The report with its pairs' shared passages when every text is at hand, and the texts.

    Stored documents contribute their text as it was added (``stored_texts``), so their
    passages are shown as ``scan --check`` shows them; an index of format 3 or older keeps
    only their normalized text, whose offsets the passages then refer to (a warning says so).
    """
    texts = {d.id: d.text for d in new_docs}
    listed = [*report.pairs, *set_apart_shown(report)]  # reports open the listed ones
    involved = {i for p in listed for i in (p.a, p.b)} - set(texts)
    texts.update(stored_texts(involved))
    missing = [i for p in report.pairs for i in (p.a, p.b) if i not in texts]
    if missing:
        warn(f"no stored text for {missing[0]!r}: passages are not shown "
             "(the index was created with --no-text)", quiet)
        return report, texts
    try:
        new_ids = {d.id for d in new_docs}
        flip = [p.a in new_ids and p.b not in new_ids for p in report.pairs]
        shown = add_passages(_flipped(report, flip), texts)
        return _flipped(shown, flip, texts), texts
    except NeardupError as exc:
        warn(f"passages not shown: {exc}", quiet)
        return report, texts


def _flipped(report: DuplicateReport, flip: list[bool],
             texts: dict[str, str] | None = None) -> DuplicateReport:
    """The report with the pairs ``flip`` marks turned around (a and b, and every figure
    and passage of theirs). A (new, indexed) pair's passages are found in the order a scan
    of the indexed documents followed by the new ones gives the pair, indexed first, since
    passages are tiled along the first text: so they are those of ``scan --check``. Turned
    back (with ``texts``), each passage's text is the span of the new document, the pair's
    a."""
    def turned(pair: Pair) -> Pair:
        passages = tuple(
            replace(p, a_start=p.b_start, a_end=p.b_end, b_start=p.a_start, b_end=p.a_end,
                    text=texts[pair.b][p.b_start:p.b_end] if texts is not None else p.text)
            for p in pair.passages)
        return replace(pair, a=pair.b, b=pair.a, a_in_b=pair.b_in_a, b_in_a=pair.a_in_b,
                       a_coverage=pair.b_coverage, b_coverage=pair.a_coverage,
                       specific_a=pair.specific_b, specific_b=pair.specific_a,
                       formula_a=pair.formula_b, formula_b=pair.formula_a, passages=passages)

    pairs = [turned(p) if f else p for p, f in zip(report.pairs, flip, strict=True)]
    return replace(report, pairs=pairs)


def _add_checked(
    idx: DuplicateIndex, new_docs: list[Document], index_path: str | None, quiet: bool
) -> None:
    """``--add``: the checked documents go into the index (replacing those of the same id)."""
    try:
        added = idx.add(new_docs, replace=True)
    except NeardupError as exc:
        fail(str(exc))
    documents = f"{added.added} document{'' if added.added == 1 else 's'}"
    note(f"added {documents} to {index_path} ({added.replaced} replaced)", quiet)


def _summary(
    report: DuplicateReport, found: DuplicateReport, checked: int, write_baseline: str | None
) -> str:
    """The one line on stderr: pairs found, accepted by the baseline, written to one."""
    kind = "near-duplicate" if report.parameters.containment is None else (
        "near-duplicate or copied"
    )
    summary = f"{len(report.pairs)} {kind} pair(s) among {checked} checked document(s)"
    accepted = len(found.pairs) - len(report.pairs)
    if accepted:
        summary += f"; {accepted} accepted by the baseline"
    if write_baseline:
        summary += f"; {len(found.pairs)} written to baseline {write_baseline}"
    copied = sorted((page for page in report.checked if page.sources),
                    key=lambda page: (-page.share, page.id))
    if copied:
        named = ", ".join(f"{page.id} {page.share:.1%}" for page in copied[:3])
        more = f" and {len(copied) - 3:,} more" if len(copied) > 3 else ""
        summary += f"; found in other documents: {named}{more}"
    return summary


# ---------------------------------------------------------------------------- the baseline


def _note_baseline(
    path: str, found: DuplicateReport, report: DuplicateReport, quiet: bool
) -> None:
    """How many pairs found the baseline accepted (a report on standard output does not
    say it)."""
    accepted = len(found.pairs) - len(report.pairs)
    if accepted:
        note(f"{path}: {plural(accepted, 'pair')} found and accepted by the baseline", quiet)


def _note_stale(
    path: str, accepted: set[frozenset[str]], found: DuplicateReport,
    new_docs: list[Document], quiet: bool,
) -> None:
    """Name the accepted pairs of a checked document that were not found again: the
    document changed, so the baseline no longer says anything about them."""
    checked = {d.id for d in new_docs}
    still = {_pair_key(p.a, p.b) for p in found.pairs}
    stale = sorted(sorted(pair) for pair in accepted - still if pair & checked)
    if stale:
        shown = "; ".join(" and ".join(repr(i) for i in pair) for pair in stale[:3])
        more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
        note(f"{path}: {plural(len(stale), 'accepted pair')} of the checked documents not "
             f"found any more: {shown}{more} (write the baseline again with "
             "--write-baseline)", quiet)



def _pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def _check_baseline_parameters(
    path: str, recorded: dict[str, Any], report: DuplicateReport, strict: bool, quiet: bool
) -> None:
    """Warn (exit 2 with ``--strict``) when the baseline was written by a check with other
    parameters: the pairs it accepts were found another way."""
    current = report.parameters.to_dict()
    differ = [
        f"{key} {recorded[key]!r} (now {current[key]!r})"
        for key in sorted(set(recorded) & set(current))
        if recorded[key] != current[key] and not (
            isinstance(recorded[key], list) and tuple(recorded[key]) == tuple(current[key])
        )
    ]
    if not differ:
        return
    message = f"{path}: baseline written with other parameters: {', '.join(differ)}"
    if strict:
        fail(message + " (--strict)")
    warn(message + "; write it again with --write-baseline", quiet)


def load_baseline(
    path: str, quiet: bool = False
) -> tuple[set[frozenset[str]], dict[str, Any] | None]:
    """The accepted pairs of a baseline file (order within a pair does not matter), and the
    parameters it records (None when it records none).

    A file that does not exist yet (the first run of a CI job) accepts no pair, with a
    note. Exits with status 2 when the file cannot be read or is not a neardup baseline.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        note(f"{path}: no baseline yet: no pair is accepted (write one with --write-baseline)",
             quiet)
        return set(), None
    except OSError as exc:
        fail(f"{path}: cannot read baseline: {exc.strerror or exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: not a neardup baseline (not JSON: {exc})")
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        fail(f"{path}: not a neardup baseline (no \"format\": \"{BASELINE_FORMAT}\")")
    version = data.get("version")
    if version != BASELINE_VERSION:
        fail(f"{path}: baseline version {version!r} is not supported (expected "
             f"{BASELINE_VERSION})")
    pairs = data.get("pairs")
    if not isinstance(pairs, list):
        fail(f"{path}: not a neardup baseline (\"pairs\" is not a list)")
    accepted: set[frozenset[str]] = set()
    for number, pair in enumerate(pairs):
        if not (isinstance(pair, dict) and isinstance(pair.get("a"), str)
                and isinstance(pair.get("b"), str)):
            fail(f"{path}: pair {number}: expected an object with string fields \"a\" and \"b\"")
        accepted.add(_pair_key(pair["a"], pair["b"]))
    recorded = data.get("parameters")
    return accepted, recorded if isinstance(recorded, dict) else None


def save_baseline(path: str, report: DuplicateReport) -> None:
    """Write every pair of ``report`` as accepted (a baseline for ``--baseline``)."""
    data = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "parameters": report.parameters.to_dict(),
        "pairs": [
            {"a": p.a, "b": p.b, "jaccard": round(p.jaccard, 6)}
            for p in sorted(report.pairs, key=lambda p: (p.a, p.b))
        ],
    }
    try:
        replace_file(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        fail(f"{path}: cannot write baseline: {exc.strerror or exc}")


def without_accepted(report: DuplicateReport, accepted: set[frozenset[str]]) -> DuplicateReport:
    """The report without its accepted pairs (and without clusters left with no pair)."""
    if not accepted:
        return report
    pairs = [p for p in report.pairs if _pair_key(p.a, p.b) not in accepted]
    ids = {p.a for p in pairs} | {p.b for p in pairs}
    clusters = [c for c in report.clusters if any(m.id in ids for m in c.members)]
    documents = {k: v for k, v in report.documents.items() if k in ids}
    counts = replace(report.counts, pairs=len(pairs), clusters=len(clusters))
    return replace(report, pairs=pairs, clusters=clusters, documents=documents, counts=counts)
