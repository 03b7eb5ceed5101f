"""Fuzz: mutants of the shipped scenarios are refused cleanly or run cleanly (issue 17).

The default suite tries a bounded number of mutants (replayed deterministically by the
``ci`` Hypothesis profile); the ``slow`` test tries 10,000 (``FUZZ_EXAMPLES`` overrides,
``FUZZ_DAYS`` the days run per accepted mutant) and prints how many were tried, refused
and run. See :mod:`fuzz_inputs` for the mutations and the property.
"""

from __future__ import annotations

import collections
import os
import tempfile
from pathlib import Path

import pytest
from fuzz_inputs import Mutant, check_mutant, mutants
from hypothesis import HealthCheck, given, settings

FAST_EXAMPLES = 40


def _fuzz(n: int, days: int, tally: collections.Counter[str]) -> None:
    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutant=mutants())
    def check(mutant: Mutant) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = check_mutant(Path(tmp), mutant, days=days)
        tally[outcome.kind] += 1

    check()


def test_mutants_are_refused_cleanly_or_run_cleanly(capsys) -> None:
    tally: collections.Counter[str] = collections.Counter()
    _fuzz(FAST_EXAMPLES, 3, tally)
    with capsys.disabled():
        print(f"\nfuzz: {sum(tally.values())} mutants tried, {tally['refused']} refused, {tally['ran']} ran")
    assert tally["refused"] > 0 and tally["ran"] > 0


@pytest.mark.slow
def test_ten_thousand_mutants(capsys) -> None:
    n = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
    days = int(os.environ.get("FUZZ_DAYS", "3"))
    tally: collections.Counter[str] = collections.Counter()
    try:
        _fuzz(n, days, tally)
    finally:
        with capsys.disabled():
            print(f"\nfuzz: {sum(tally.values())} mutants tried, {tally['refused']} refused,"
                  f" {tally['ran']} ran ({days} days each)")
