"""Start the action server on one process and a chosen interface.

rasa-sdk's own CLI binds 0.0.0.0 and may fork Sanic workers; the engine (a FAISS
index and the encoder) is loaded once here and must not be pickled into workers.
Usage: python -m actions.server [--host 127.0.0.1] [--port 5055]
"""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from knowledge.encoder import keep_torch_out
from knowledge.settings import KnowledgeSettings


def main() -> None:
    """Register the actions (which loads the engine), then serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m actions.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)  # its CPU-feature probing reads like errors
    keep_torch_out(KnowledgeSettings().encoder)  # before the actions import spaCy
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
