"""`make mutation`'s per-mutant test selection (scripts/mutation_select.py), on a tiny sample.

No cosmic-ray run: the line -> tests map from a real coverage run of a sample module with a
context per test, the diff -> lines step, and which tests a mutant on each line gets.
"""

import textwrap

import coverage
import pytest

from scripts import mutation_select as select

SAMPLE = textwrap.dedent(
    """\
    LIMIT = 3


    def price(units, *, discount=0):
        total = units * 10
        if (
            total > 100
        ):
            total -= discount
        return total


    def never_called(x):
        return x + 1


    class Plan:
        name = "basic"

        def label(self):
            return self.name.upper()
    """
)


@pytest.fixture
def sample(tmp_path):
    """The sample as an importable module, with a line map from a coverage run in which two
    "tests" call it under their own contexts (as the pytest plugin names them)."""
    path = tmp_path / "sample_mod.py"
    path.write_text(SAMPLE)
    cov = coverage.Coverage(data_file=None, include=[str(path)])
    cov.start()
    try:
        sample_mod = {}  # its namespace, imported afresh for each test
        exec(compile(SAMPLE, str(path), "exec"), sample_mod)
        cov.switch_context("t.py::test_cheap")
        sample_mod["price"](2)
        cov.switch_context("t.py::test_dear")
        sample_mod["price"](20, discount=5)
        cov.switch_context("t.py::test_label")
        sample_mod["Plan"]().label()
        cov.switch_context("")
    finally:
        cov.stop()
    by_line = select.line_map(cov.get_data(), path.resolve())
    order = ["t.py::test_cheap", "t.py::test_dear", "t.py::test_label"]
    return path, by_line, order


def line_of(text):
    return next(i for i, line in enumerate(SAMPLE.splitlines(), 1) if text in line)


def test_the_map_names_the_tests_that_ran_each_line(sample):
    _path, by_line, _order = sample
    assert by_line[line_of("total = units")] == {"t.py::test_cheap", "t.py::test_dear"}
    assert by_line[line_of("total -= discount")] == {"t.py::test_dear"}
    assert by_line[line_of("return self.name")] == {"t.py::test_label"}
    # Run at import, outside any test: stands for every test.
    assert by_line[line_of("LIMIT = 3")] == {select.EVERY_TEST}
    assert line_of("return x + 1") not in by_line


def test_the_map_survives_its_json_file(sample, tmp_path):
    _path, by_line, order = sample
    select.save_map(tmp_path / "map.json", by_line, order)
    assert select.load_map(tmp_path / "map.json") == (by_line, order)


def test_the_changed_lines_are_those_the_mutant_rewrote():
    mutated = SAMPLE.replace("total > 100", "total >= 100").replace("* 10", "/ 10")
    assert select.changed_lines(SAMPLE, mutated) == [line_of("* 10"), line_of("total > 100")]
    assert select.changed_lines(SAMPLE, SAMPLE) == []
    # A removed line (cosmic-ray's RemoveDecorator) counts as the line it was.
    assert select.changed_lines(SAMPLE, SAMPLE.replace('    name = "basic"\n', "")) == [
        line_of('name = "basic"')
    ]


@pytest.mark.parametrize(
    ("mutated_text", "expected"),
    [
        # A plain line: the tests that ran it, in run order.
        ("total -= discount", ["t.py::test_dear"]),
        ("total = units * 10", ["t.py::test_cheap", "t.py::test_dear"]),
        # Inside a multi-line `if` header: the header's lines, whichever one was traced.
        ("total > 100", ["t.py::test_cheap", "t.py::test_dear"]),
        # No test runs it: nothing to run, a "not covered" survivor.
        ("return x + 1", []),
        # The def line (a signature mutant): run at import, so every test.
        (
            "def price(units, *, discount=0):",
            ["t.py::test_cheap", "t.py::test_dear", "t.py::test_label"],
        ),
        # A class attribute, a module constant: run at import, every test.
        ('name = "basic"', ["t.py::test_cheap", "t.py::test_dear", "t.py::test_label"]),
        ("LIMIT = 3", ["t.py::test_cheap", "t.py::test_dear", "t.py::test_label"]),
        # A method's body line inside a class: only the test that called it.
        ("return self.name.upper()", ["t.py::test_label"]),
    ],
)
def test_a_mutant_runs_only_the_tests_that_execute_its_statement(sample, mutated_text, expected):
    _path, by_line, order = sample
    assert select.tests_for(by_line, order, SAMPLE, [line_of(mutated_text)]) == expected


def test_a_nested_function_s_decorator_counts_where_the_outer_one_runs():
    source = textwrap.dedent(
        """\
        def outer(view):
            @wrap
            def inner():
                return view()
            return inner
        """
    )
    by_line = {2: {"t::a"}, 3: {"t::a"}, 4: {"t::b"}, 5: {"t::a"}}
    # Removing `@wrap` is seen both where outer() runs and where inner() is called.
    assert select.tests_for(by_line, ["t::a", "t::b", "t::c"], source, [2]) == ["t::a", "t::b"]


def test_the_test_command_runs_nothing_for_a_line_no_test_runs(
    sample, tmp_path, capsys, monkeypatch
):
    path, by_line, order = sample
    copy = tmp_path / "copy"
    (copy / select.PRISTINE).mkdir(parents=True)
    (copy / "pkg").mkdir()
    select.save_map(select.map_path(copy), by_line, order)
    select.pristine_path(copy, "pkg/sample_mod.py").write_text(SAMPLE)
    (copy / "pkg" / "sample_mod.py").write_text(SAMPLE.replace("x + 1", "x - 1"))
    monkeypatch.chdir(copy)
    assert select.main(["pkg/sample_mod.py", "-q"]) == 0
    assert select.NOT_COVERED in capsys.readouterr().out


def test_the_mutated_modules_bytecode_is_forgotten_and_the_rest_kept(tmp_path):
    """Mutants' runs read the map run's bytecode, but must compile the module they mutate:
    a mutant of the same length made within the same second would pass a cached file's check."""
    import compileall

    package = tmp_path / "pkg"
    package.mkdir()
    for name in ("target", "other"):
        (package / f"{name}.py").write_text("VALUE = 1\n")
    assert compileall.compile_dir(package, quiet=1)
    select.forget_bytecode(tmp_path, "pkg/target.py")
    cached = {p.name.split(".")[0] for p in (package / "__pycache__").glob("*.pyc")}
    assert cached == {"other"}
    assert select.mutant_env()["PYTHONDONTWRITEBYTECODE"] == "1"


def test_a_mutants_tests_run_the_quickest_first():
    timings = "t.py::slow\t2.5\nt.py::quick\t0.01\nt.py::mid\t0.3\nt.py::tie\t0.3\n"
    assert select.fastest_first(timings) == ["t.py::quick", "t.py::mid", "t.py::tie", "t.py::slow"]


def test_the_first_failing_test_is_read_from_pytests_summary():
    ran = ["tests/a.py::test_one[x - y]", "tests/a.py::test_one[x]", "tests/b.py::test_two"]
    output = (
        "..F\n=== short test summary info ===\n"
        "FAILED tests/a.py::test_one[x - y] - AssertionError: assert 1 == 2\n"
        "ERROR tests/b.py::test_two - RuntimeError\n1 failed, 2 passed\n"
    )
    assert select.first_failure(output, ran) == "tests/a.py::test_one[x - y]"
    assert select.first_failure("ERROR tests/b.py::test_two - boom\n", ran) == ran[2]
    assert select.first_failure("FAILED tests/a.py::test_one[x]\n", ran) == ran[1]
    assert select.first_failure("3 passed\n", ran) is None


def test_the_tests_that_killed_earlier_mutants_run_first(tmp_path):
    (tmp_path / select.PRISTINE).mkdir(parents=True)
    for killer in ("t.py::b", "t.py::c", "t.py::c"):
        select.note_killer(tmp_path, killer)
    killers = select.load_killers(tmp_path)
    assert killers == {"t.py::b": 1, "t.py::c": 2}
    order = ["t.py::a", "t.py::b", "t.py::d", "t.py::c"]
    assert select.killers_first(order, killers) == ["t.py::c", "t.py::b", "t.py::a", "t.py::d"]


def test_a_mutants_line_is_read_from_its_diff():
    """The report names the line the mutant changed as the code was then (the module may
    have moved on since): from the hunk header and the removed line."""
    from scripts import mutation

    diff = (
        "--- mutation diff ---\n--- a/m.py\n+++ b/m.py\n@@ -73,4 +73,4 @@\n"
        " # one\n # two\n-    return x > 0\n+    return x >= 0\n \n"
    )
    assert mutation.original_line(diff, [], 1) == (75, "    return x > 0")
    assert mutation.original_line("", ["a", "b"], 2) == (2, "b")


def test_every_module_and_test_file_named_for_mutation_exists():
    """A wrong path makes a module's baseline fail, and the module is skipped unmutated."""
    from pathlib import Path

    from scripts import mutation

    for module, tests in mutation.MODULES.items():
        assert (mutation.ROOT / module).is_file(), module
        for test in tests:
            assert (mutation.ROOT / test.split("::")[0]).is_file(), (module, test)
    assert Path(mutation.ROOT / "scripts" / "mutation_select.py").is_file()
