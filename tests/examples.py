"""How many examples a property test tries, under the Hypothesis profile in force.

A test names its count for an ordinary run (`make test`, CI); the `deep` profile
(`make test-deep`, `pytest --hypothesis-profile=deep`) multiplies every count by ten, for a
run that can afford the time, and the `fast` one (`make test-fast`) divides it by five. The
profiles are registered in `conftest.py`.
"""

from __future__ import annotations

from hypothesis import settings

ORDINARY = 100  # Hypothesis's own `max_examples`, which the default profile keeps
DEEP_FACTOR = 10
FAST_DIVISOR = 5  # the `fast` profile (`make test-fast`) tries a fifth


def examples(count: int) -> int:
    """`count`, scaled as the profile in force scales Hypothesis's default."""
    in_force = settings.default
    assert in_force is not None  # set once Hypothesis is imported
    return max(1, count * in_force.max_examples // ORDINARY)
