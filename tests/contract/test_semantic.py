"""The e5 vector the gateway sends along: it arrives as it left, and nothing else is taken for one."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from contract.semantic import WIDTH, pack, unpack


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=WIDTH).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_a_packed_vector_arrives_as_the_same_unit_vector_in_about_1_kb() -> None:
    vector = _unit(1)
    sent = pack(vector)
    received = unpack(sent)
    assert received is not None and float(received @ vector) > 0.9999
    assert len(sent) <= 1100


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        "",
        "not base64 at all %%%",
        pack(_unit(2))[:-8],  # cut short: wrong width
        pack(np.concatenate([_unit(3), _unit(4)])),  # twice the width
        pack(_unit(5) * 3),  # not a unit vector
        base64.b64encode(np.full(WIDTH, np.nan, dtype="<f2").tobytes()).decode(),  # not finite
        "A" * 100_000,  # huge
    ],
)
def test_anything_but_a_unit_vector_of_the_right_width_is_refused(value: object) -> None:
    assert unpack(value) is None
