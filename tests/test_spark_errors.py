"""What the Spark engine refuses, and how: before any Spark session starts, with one line
that names the problem (issue 28's defects). None of these tests starts a JVM, so they run
with the fast tests; what needs a session is in ``test_spark.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import neardup
from neardup.cli import main
from neardup.errors import InputError, ParameterError

pytest.importorskip("pyspark")


def _jsonl(path: Path) -> Path:
    path.write_text(json.dumps({"id": "a", "text": "今天天气很好我们去公园"}) + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"verify": "estimate"}, "verify must be 'exact'"),
        ({"min_length": 5}, "min_length"),
        ({"passages": True}, "unknown parameter 'passages'"),
    ],
)
def test_api_refuses_parameters_with_a_parameter_error(given: dict[str, Any], says: str) -> None:
    """Every Spark entry point raises ParameterError (not a TypeError) for what it does not
    run, before it looks at the DataFrame (None here) or starts a session."""
    from neardup.spark import deduplicate_spark, find_duplicates_spark, signatures_spark

    runs = [deduplicate_spark]
    if "passages" not in given:  # find_duplicates_spark(passages=True) gives passages
        runs.append(find_duplicates_spark)
    if "min_length" not in given and "verify" not in given:
        runs.append(signatures_spark)  # signatures take every parameter that makes them
    for run in runs:
        with pytest.raises(ParameterError, match=says):
            run(None, **given)


def test_min_length_says_what_to_do_instead() -> None:
    from neardup.spark import deduplicate_spark

    with pytest.raises(ParameterError, match=r"filter the DataFrame first"):
        deduplicate_spark(None, min_length=5)


def test_scan_refuses_a_report_file_name_before_any_session(tmp_path: Path) -> None:
    """``scan --engine spark -f html -o report.html`` exits 2 with one line and writes
    nothing (it used to write a Parquet directory named report.html)."""
    source = _jsonl(tmp_path / "in.jsonl")
    report = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(source), "--engine", "spark", "-o", str(report)])
    assert result.exit_code == 2, result.output
    assert "not a report file" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not report.exists()
    # a format asked for, whatever the output's name, is refused: Spark writes Parquet
    for output in (report, tmp_path / "out"):
        asked = runner.invoke(main, ["scan", str(source), "--engine", "spark", "-f", "html",
                                     "-o", str(output)])
        assert asked.exit_code == 2, asked.output
        assert "--format html is for the local engine" in asked.output
        assert not output.exists()
    from neardup.spark import scan_spark

    with pytest.raises(InputError, match=r"report\.json"):
        scan_spark([str(source)], tmp_path / "report.json")


def test_text_files_are_one_clear_error_not_a_java_trace(tmp_path: Path) -> None:
    """A directory of .txt files (or one .txt file) given to the Spark engine is refused in
    one line, exit 2, before a session starts (it used to be read as Parquet and die with a
    Java stack trace)."""
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "one.txt").write_text("今天天气很好我们去公园", encoding="utf-8")
    (texts / "two.txt").write_text("今天天气很好我们去公园吧", encoding="utf-8")
    runner = CliRunner()
    for given in (texts, texts / "one.txt"):
        result = runner.invoke(main, ["scan", str(given), "--engine", "spark",
                                      "-o", str(tmp_path / "out")])
        assert result.exit_code == 2, result.output
        assert "text files are not read by the Spark engine" in result.output
        assert "Traceback" not in result.output and "java" not in result.output.lower()
        assert len(result.output.strip().splitlines()) == 1
    from neardup.spark import dedup_spark

    with pytest.raises(InputError, match="JSON Lines"):
        dedup_spark(texts, tmp_path / "kept")
    assert not (tmp_path / "kept").exists()


def test_spark_directory_formats(tmp_path: Path) -> None:
    """A directory's format comes from its files: Spark's own output (part files and
    _SUCCESS) is Parquet, .jsonl.gz files JSON Lines; an empty one is refused."""
    from neardup.spark.reading import input_format

    parquet = tmp_path / "p"
    parquet.mkdir()
    (parquet / "_SUCCESS").write_text("")
    (parquet / "part-00000-x.snappy.parquet").write_bytes(b"")
    assert input_format(parquet)[1] == "parquet"
    lines = tmp_path / "j" / "sub"
    lines.mkdir(parents=True)
    (lines / "a.jsonl.gz").write_bytes(b"")
    assert input_format(tmp_path / "j")[1] == "json"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files"):
        input_format(tmp_path / "empty")
    assert input_format(tmp_path / "empty", "json")[1] == "json"  # told: not guessed


def test_dedup_into_an_existing_directory_fails_before_the_job(tmp_path: Path) -> None:
    """dedup_spark into an existing directory raises before any session or job, and leaves
    no ``out.partial`` (it used to fail after the whole job, leaving it)."""
    from neardup.spark import dedup_spark

    source = _jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep-me.txt").write_text("x")
    with pytest.raises(InputError, match="already exists"):
        dedup_spark([str(source)], out)
    assert not (tmp_path / "out.partial").exists()
    assert (out / "keep-me.txt").read_text() == "x"
    result = CliRunner().invoke(main, ["dedup", str(source), "--engine", "spark",
                                       "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out.partial").exists()


def test_driver_memory_follows_the_machine() -> None:
    from neardup.spark.session import driver_memory, machine_memory

    assert machine_memory() > 2**28
    assert driver_memory(24 * 2**30) == "6g"
    assert driver_memory(512 * 2**20) == "1g"
    assert driver_memory(1024 * 2**30) == "32g"


def test_a_dead_driver_is_one_line_naming_the_option() -> None:
    """What Py4J raises when the JVM died (out of memory) becomes a SparkJobError of one
    line that names SPARK_DRIVER_MEMORY; the CLI prints it and exits 2."""
    from py4j.protocol import Py4JNetworkError

    from neardup.spark.session import SparkJobError, spark_errors

    with pytest.raises(SparkJobError) as caught, spark_errors():
        raise Py4JNetworkError("Answer from Java side is empty")
    said = str(caught.value)
    assert "\n" not in said and "SPARK_DRIVER_MEMORY" in said
    assert isinstance(caught.value, neardup.NeardupError)
    with pytest.raises(KeyError), spark_errors():  # not Spark's: passes unchanged
        raise KeyError("x")


def test_a_failed_python_worker_is_its_own_last_line() -> None:
    """A Python worker's failure (here: pyarrow missing on the workers' Python) is reported
    by the worker's exception, not by the first line of Spark's wrapper."""
    from pyspark.errors import PythonException

    from neardup.spark.session import SparkJobError, spark_errors

    said = (
        "An exception was thrown from the Python worker:\nTraceback (most recent call last):\n"
        '  File "worker.py", line 1920, in read_udfs\n    import pyarrow as pa\n'
        "ModuleNotFoundError: No module named 'pyarrow'\n SQLSTATE: 38000"
    )
    with pytest.raises(SparkJobError, match="No module named 'pyarrow'") as caught, (
        spark_errors()
    ):
        raise PythonException(said)
    assert "\n" not in str(caught.value)


def test_a_stopped_driver_is_named_not_its_symptom(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task out of memory in local mode stops the SparkContext, and the job then fails on
    a null scheduler (a NullPointerException that says nothing to a user): the error names
    the stopped driver and the memory option instead."""
    from py4j.protocol import Py4JError

    from neardup.spark import session

    monkeypatch.setattr(session, "_driver_stopped", lambda: True)
    with pytest.raises(session.SparkJobError) as caught, session.spark_errors():
        raise Py4JError('java.lang.NullPointerException: Cannot invoke "org.apache.spark.'
                        'scheduler.DAGScheduler.cleanupQueryJobs(long)"')
    said = str(caught.value)
    assert said.startswith("the Spark job failed: the Spark driver stopped while the job ran")
    assert "SPARK_DRIVER_MEMORY" in said and "NullPointer" not in said and "\n" not in said
    with pytest.raises(session.SparkJobError) as caught, session.spark_errors():
        raise Py4JError("java.lang.StackOverflowError")  # a cause, not a symptom: said too
    assert "stopped while the job ran (java.lang.StackOverflowError)" in str(caught.value)
    monkeypatch.setattr(session, "_driver_stopped", lambda: False)
    with pytest.raises(session.SparkJobError) as caught, session.spark_errors():
        raise Py4JError("java.lang.IllegalStateException: something else")
    assert "IllegalStateException" in str(caught.value)
    assert "SPARK_DRIVER_MEMORY" not in str(caught.value)


def test_without_a_spark_context_the_driver_has_not_stopped() -> None:
    from pyspark import SparkContext

    from neardup.spark.session import _driver_stopped

    context = SparkContext._active_spark_context
    assert _driver_stopped() is (False if context is None else context._jsc.sc().isStopped())


def test_spark_logging_set_up_by_the_user_is_kept(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """neardup quiets the console log of a local session it starts (a failed task's Java
    trace would bury its one-line error) unless the user set up log4j."""
    from neardup.spark.session import _logging_configured

    monkeypatch.delenv("SPARK_CONF_DIR", raising=False)
    monkeypatch.delenv("SPARK_HOME", raising=False)
    assert not _logging_configured("", "")
    assert _logging_configured("-Dlog4j.configurationFile=my.properties", "")
    assert _logging_configured("", "--driver-java-options -Dlog4j2.level=info pyspark-shell")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "log4j2.properties").write_text("rootLogger.level = info\n")
    monkeypatch.setenv("SPARK_HOME", str(tmp_path))
    assert _logging_configured("", "")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path / "elsewhere"))
    assert not _logging_configured("", "")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path / "conf"))
    assert _logging_configured("", "")


def test_progress_bars_only_on_a_terminal_unless_the_user_chose() -> None:
    """A session neardup starts draws Spark's progress bars on a terminal, not in a log or
    a CI job's output, unless the user set spark.ui.showConsoleProgress."""
    from neardup.spark.session import PROGRESS, shows_progress

    assert shows_progress(None, "", terminal=True) == "true"
    assert shows_progress(None, "", terminal=False) == "false"
    assert shows_progress("true", "", terminal=False) is None
    assert shows_progress(None, f"--conf {PROGRESS}=true pyspark-shell", terminal=False) is None


def test_scan_spark_refuses_an_output_that_would_replace_an_input(tmp_path: Path) -> None:
    """``-o`` naming the input directory, which holds a ``pairs/`` of JSON Lines: refused
    before any session, the input untouched; the same directory as output is fine when
    nothing it writes is an input."""
    from neardup.spark.jobs import check_inputs_kept

    folder = tmp_path / "in"
    (folder / "pairs").mkdir(parents=True)
    (folder / "a.jsonl").write_text('{"id": "a", "text": "x"}\n')
    (folder / "pairs" / "x.jsonl").write_text('{"id": "b", "text": "y"}\n')
    with pytest.raises(InputError, match=r"pairs/x.jsonl: an input under the output"):
        check_inputs_kept(str(folder), [str(folder)])
    with pytest.raises(InputError, match="an input under the output"):
        check_inputs_kept(str(folder), [str(folder / "pairs" / "x.jsonl")])
    assert (folder / "pairs" / "x.jsonl").exists()
    (folder / "pairs" / "x.jsonl").unlink()
    check_inputs_kept(str(folder), [str(folder)])  # nothing written replaces an input
    check_inputs_kept(str(tmp_path / "out"), [str(folder)])


def test_scan_spark_refuses_an_output_that_would_delete_files_it_did_not_write(
    tmp_path: Path,
) -> None:
    """``scan --engine spark -o DIR`` where ``DIR/clusters/`` holds a file of the user's (not
    an input): Spark would replace the directory and delete it. Refused before any session
    with one line naming the file, exit 2, the file kept; an earlier Spark output there
    (parts, success marker, checksums) may be replaced."""
    from neardup.spark.jobs import check_outputs_replaceable

    source = _jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out"
    (out / "clusters").mkdir(parents=True)
    kept = out / "clusters" / "data.jsonl"
    kept.write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(source), "--engine", "spark", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "clusters/data.jsonl: scan --engine spark replaces" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert kept.read_text(encoding="utf-8") == "mine\n"
    kept.unlink()
    for name in ("part-00000-1f2e-c000.snappy.parquet", ".part-00000-1f2e-c000.snappy.parquet.crc",
                 "_SUCCESS", "._SUCCESS.crc"):
        (out / "clusters" / name).write_bytes(b"")
    check_outputs_replaceable(str(out))  # an earlier Spark output: replaced
    (out / "pairs").write_text("a file where a directory goes", encoding="utf-8")
    with pytest.raises(InputError, match=r"pairs: exists and is not a directory"):
        check_outputs_replaceable(str(out))
