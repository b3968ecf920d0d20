"""pytest plugin for `make mutation`'s line map: one coverage context per test, its node id.

Set around the whole test protocol (setup, call, teardown), so code run by a test's fixtures
counts as the test's; code run between tests (collection, imports) stays in the empty
context. Does nothing when the run is not under coverage. With MUTATION_ORDER set, appends
each test's node id and seconds to that file as it ends (a mutant's tests run fastest first).
"""

import os
import time

import pytest


def _switch(context):
    import coverage

    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context(context)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    _switch(item.nodeid)
    started = time.perf_counter()
    yield
    _switch("")
    if os.environ.get("MUTATION_ORDER"):
        with open(os.environ["MUTATION_ORDER"], "a") as order:
            order.write(f"{item.nodeid}\t{time.perf_counter() - started:.4f}\n")
