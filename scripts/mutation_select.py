"""Per-mutant test selection for `make mutation`: run only the tests that execute the mutant.

Once per module, `scripts/mutation.py` runs the module's mapped tests under coverage with one
dynamic context per test (`scripts/mutation_contexts.py` names it after the test's node id)
and keeps, in the module's copy, which tests ran each line (`build_map`). cosmic-ray's test
command for that module is then this file:

    python scripts/mutation_select.py <module> <pytest option>...

It compares the mutated module with the pristine copy kept beside the map to find the changed
lines, widens each to the statement it belongs to (`statement_lines`), and runs pytest on the
node ids that executed any of those lines, the quickest first. A mutant on a
line no test runs is not tested at all: the command prints NOT_COVERED and exits 0, so
cosmic-ray records a survivor that the report counts as "not covered".

Code run at import (module constants, class bodies) runs outside any test: a mutant there runs
every mapped test. A `def` line (signature, defaults) runs the tests that enter the function.
"""

import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

NOT_COVERED = "mutation-select: NOT_COVERED (no test runs the mutated lines)"
# `--max-tests N`: a mutant runs at most its N first tests; a survivor then only survived those.
CAPPED = "mutation-select: CAPPED to its first tests:"
MAP_NAME = "line-tests.json"
PRISTINE = Path("var/mutation-select")
# Executed outside any test (imports, collection, session fixtures): stands for "every test".
EVERY_TEST = "*"


def map_path(copy):
    return Path(copy) / PRISTINE / MAP_NAME


def pristine_path(copy, module):
    return Path(copy) / PRISTINE / Path(module).name


def line_map(data, filename):
    """{line: set of node ids} for one measured file, from a `coverage.CoverageData`.

    Lines run outside a test's context (the empty context: imports, collection) map to
    EVERY_TEST."""
    by_line = data.contexts_by_lineno(str(filename))
    return {
        line: {context or EVERY_TEST for context in contexts}
        for line, contexts in by_line.items()
        if contexts
    }


def save_map(path, by_line, order):
    """Keep the map as JSON: the node ids (quickest first), and per line the indices into it."""
    index = {nodeid: i for i, nodeid in enumerate(order)}
    lines = {
        str(line): sorted(index.get(n, -1) for n in nodeids)
        for line, nodeids in sorted(by_line.items())
    }
    Path(path).write_text(json.dumps({"tests": list(order), "lines": lines}, indent=0))


def load_map(path):
    raw = json.loads(Path(path).read_text())
    order = raw["tests"]
    by_line = {
        int(line): {order[i] if i >= 0 else EVERY_TEST for i in indices}
        for line, indices in raw["lines"].items()
    }
    return by_line, order


def changed_lines(pristine, mutated):
    """Line numbers (1-based, in the pristine text) that the mutation replaced or removed.

    cosmic-ray's mutants change the text in place; a pure insertion (none today) is counted
    against the line before it."""
    old, new = pristine.splitlines(), mutated.splitlines()
    lines = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.update(range(i1 + 1, i2 + 1) if i2 > i1 else [max(i1, 1)])
    return sorted(lines)


def _header_end(node):
    """Last line of a compound statement's header (before its first body statement)."""
    body = getattr(node, "body", None)
    if isinstance(body, list) and body:
        return body[0].lineno - 1
    return node.end_lineno


def statement_lines(source, line):
    """The lines whose tests decide a mutant on `line`, or None for "every test".

    The innermost statement holding the line: all its lines for a simple statement (a
    multi-line call may be traced on any of its lines), the header for a compound one (`if`,
    `for`, `with`, `except` ...), the body for a function's `def` line and decorators (they
    are run at import; what they change is seen by calls). Outside any function (module
    level, a class body) the code runs at import: None."""
    tree = ast.parse(source)
    best, in_function = None, False

    def visit(node, inside):
        nonlocal best, in_function
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                visit(child, inside)
                continue
            first = getattr(child, "lineno", None)
            if isinstance(child, ast.match_case):
                first = child.pattern.lineno
            decorators = getattr(child, "decorator_list", [])
            if decorators:
                first = min(first, *(d.lineno for d in decorators))
            last = child.end_lineno if not isinstance(child, ast.match_case) else None
            if last is None:
                last = child.body[-1].end_lineno
            if first <= line <= last:
                best, in_function = child, inside
                is_def = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                visit(child, inside or is_def)

    visit(tree, False)
    if best is None:
        return None
    if isinstance(best, ast.FunctionDef | ast.AsyncFunctionDef):
        # The def line, its defaults, its decorators: run where the function is defined (at
        # import for a module's function), seen where it is called. Both count.
        head = [d.lineno for d in best.decorator_list] + [best.lineno]
        return list(range(min(head), best.end_lineno + 1))
    if not in_function:
        return None  # module level or a class body: run at import, before any test
    if isinstance(best, ast.match_case):
        return list(range(best.pattern.lineno, best.body[0].lineno))
    compound = isinstance(getattr(best, "body", None), list)
    start = best.lineno
    end = _header_end(best) if compound and line < best.body[0].lineno else best.end_lineno
    if compound and line >= best.body[0].lineno:
        # An `else:` / `finally:` line itself: no statement of its own; the whole block.
        end = best.end_lineno
    return list(range(start, max(start, end) + 1))


def tests_for(by_line, order, source, lines):
    """Node ids (quickest first) that execute any of `lines`' statements; [] if none does."""
    wanted = set()
    for line in lines:
        span = statement_lines(source, line)
        if span is None:
            return list(order)
        for covered in span:
            wanted |= by_line.get(covered, set())
    if EVERY_TEST in wanted:
        return list(order)
    return [nodeid for nodeid in order if nodeid in wanted]


def fastest_first(timings):
    """Node ids from the map run's "node id<TAB>seconds" lines, the quickest first (ties in
    run order): a killed mutant's run stops at its first failing test, so the sooner the
    better. The tests do not depend on their order (the suite runs them shuffled)."""
    seconds = {}
    for line in timings.splitlines():
        nodeid, _tab, took = line.rpartition("\t")
        if nodeid and nodeid not in seconds:
            seconds[nodeid] = float(took)
    return sorted(seconds, key=seconds.get)


def build_map(copy, module, pytest_args, tests):
    """Run the module's tests once under coverage, a context per test; keep the line map and
    the pristine module beside it. Returns the finished pytest process (the baseline: a
    module whose tests fail unmutated is not mutated)."""
    from coverage import CoverageData

    copy = Path(copy)
    where = copy / PRISTINE
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    shutil.copyfile(copy / module, pristine_path(copy, module))
    order_file, data_file = where / "order.txt", where / ".coverage"
    command = [sys.executable, "-m", "coverage", "run", f"--data-file={data_file}"]
    command += [f"--include={module}", "-m", "pytest", *pytest_args]
    command += ["-p", "scripts.mutation_contexts", *tests]
    # This run also leaves the bytecode of everything it imports (pytest's rewritten tests
    # too) for the mutants' runs to read, but for the mutated module, which they recompile.
    env = {**os.environ, "MUTATION_ORDER": str(order_file)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    forget_bytecode(copy, module)
    if done.returncode != 0:
        return done
    data = CoverageData(basename=str(data_file))
    data.read()
    order = fastest_first(order_file.read_text())
    save_map(map_path(copy), line_map(data, (copy / module).resolve()), order)
    return done


def forget_bytecode(copy, module):
    """Remove the module's cached bytecode: a mutant's run must compile its mutated source.
    (A cached file is trusted by the source's mtime and size, which a mutation made within
    the same second and of the same length would both keep.)"""
    path = Path(copy) / module
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink()


def mutant_env():
    """The environment of a mutant's run: no bytecode written (see forget_bytecode)."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def killers_path(copy):
    return Path(copy) / PRISTINE / "killers.json"


def load_killers(copy):
    path = killers_path(copy)
    return json.loads(path.read_text()) if path.exists() else {}


def first_failure(output, nodeids):
    """Which of `nodeids` failed (or erred) first in pytest's summary, or None. Summary lines
    read "FAILED <node id> - <message>"; a node id may itself hold " - " (a parameter)."""
    for line in output.splitlines():
        for mark in ("FAILED ", "ERROR "):
            if line.startswith(mark):
                rest = line[len(mark) :]
                named = [n for n in nodeids if rest == n or rest.startswith(f"{n} - ")]
                if named:
                    return max(named, key=len)
    return None


def note_killer(copy, nodeid):
    killers = load_killers(copy)
    killers[nodeid] = killers.get(nodeid, 0) + 1
    killers_path(copy).write_text(json.dumps(killers))


def killers_first(selected, killers):
    """The tests that killed this module's earlier mutants first (most kills first), then
    the rest as they were (quickest first): a mutant is usually killed by the same few."""
    rank = {nodeid: i for i, nodeid in enumerate(selected)}
    return sorted(selected, key=lambda n: (-killers.get(n, 0), rank[n]))


def main(argv):
    module, pytest_args = argv[0], argv[1:]
    max_tests = None
    if pytest_args[:1] == ["--max-tests"]:
        max_tests, pytest_args = int(pytest_args[1]), pytest_args[2:]
    copy = Path.cwd()
    pristine = pristine_path(copy, module).read_text()
    by_line, order = load_map(map_path(copy))
    lines = changed_lines(pristine, (copy / module).read_text())
    selected = tests_for(by_line, order, pristine, lines)
    if not selected:
        print(NOT_COVERED, "lines", lines)
        return 0
    selected = killers_first(selected, load_killers(copy))
    print(f"mutation-select: lines {lines}: {len(selected)} of {len(order)} tests", flush=True)
    if max_tests is not None and len(selected) > max_tests:
        selected = selected[:max_tests]
        print(f"{CAPPED} {max_tests}", flush=True)
    command = [sys.executable, "-m", "pytest", *pytest_args, *selected]
    done = subprocess.run(command, check=False, env=mutant_env(), capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    killer = first_failure(done.stdout, selected) if done.returncode else None
    if killer:
        note_killer(copy, killer)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
