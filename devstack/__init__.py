"""The real stack on free ports and a stand-in for Microsoft's side of Teams on 127.0.0.1.

Why a package of its own: the tests and `scripts/bench.py` both start the stack this way, and
scripts must not import from tests/.
"""
