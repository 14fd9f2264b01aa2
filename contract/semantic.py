"""The message's e5 vector, sent by the gateway with the message so Rasa and the actions need not
encode the same text again.

Why: the gateway encodes every message for its crisis check; Rasa's SemanticFeaturizer and the
answer action's retrieval then need the very same vector of the very same (masked) text. Each
encode costs 10-30 ms of CPU; sent along it costs about 1 KB of metadata. Rasa's own port is
reachable only from the gateway, and a vector that does not decode to a unit vector of the right
width is ignored (the receiver encodes the text itself), so a bad one can cost time, not safety.
Runs in Rasa's Python 3.10 environment too.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np
import numpy.typing as npt

# The metadata key: the vector as base64 of little-endian float16 (768 bytes for e5-small's 384).
SEMANTIC_METADATA = "e5"
WIDTH = 384
_UNIT_TOLERANCE = 0.01  # float16 rounding moves the norm by about 1e-3


def pack(vector: npt.NDArray[np.float32]) -> str:
    """The vector as it travels in the metadata."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def unpack(value: object) -> npt.NDArray[np.float32] | None:
    """The vector `pack` wrote, renormalised; None for anything else (absent, wrong width, not
    finite, not a unit vector)."""
    if not isinstance(value, str) or len(value) > 4 * WIDTH:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * WIDTH:
        return None
    vector = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vector)) if np.all(np.isfinite(vector)) else 0.0
    if abs(norm - 1.0) > _UNIT_TOLERANCE:
        return None
    unit: npt.NDArray[np.float32] = vector / norm
    unit.setflags(write=False)
    return unit
