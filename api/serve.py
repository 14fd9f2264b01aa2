"""Run the gateway with uvicorn, keeping torch out of the process when the encoder does not need it.

`uvicorn --factory api.main:create_app` would import spaCy (and with it torch, through thinc)
before any of our code could say otherwise; here `keep_torch_out` runs first (see
knowledge.encoder). Usage: python -m api.serve [any uvicorn option but the app], e.g.
`--host 127.0.0.1 --port 8000 --no-access-log`.
"""

from __future__ import annotations

import sys


def main() -> None:
    from knowledge.encoder import keep_torch_out
    from knowledge.settings import KnowledgeSettings

    keep_torch_out(KnowledgeSettings().encoder)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", "--factory", "api.main:create_app", *sys.argv[1:]]
    uvicorn_main()


if __name__ == "__main__":
    main()
