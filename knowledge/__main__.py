"""Command line: `python -m knowledge build|check|ask "question"`."""

from __future__ import annotations

import argparse
import json
import sys

from knowledge.assemble import assemble
from knowledge.build import build
from knowledge.index import StaleIndexError, check_index
from knowledge.loaders import load_encoder, load_semantic_encoder
from knowledge.settings import KnowledgeSettings


def main() -> int:
    """Dispatch the sub-command; exit 1 with a readable message when the index is stale."""
    parser = argparse.ArgumentParser(prog="python -m knowledge")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="rebuild the index from knowledge/sources")
    sub.add_parser("check", help="exit 1 if the index is missing or stale")
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--top-k", type=int, default=3)
    args = parser.parse_args()
    settings = KnowledgeSettings()

    if args.command == "ask":
        assembly = assemble(settings)
        if assembly.knowledge is None:
            print(assembly.knowledge_error, file=sys.stderr)
            return 1
        answer = assembly.knowledge.ask(args.question, args.top_k)
        print(json.dumps(answer, default=lambda o: o.__dict__, ensure_ascii=False, indent=2))
        return 0
    if args.command == "check":
        try:
            manifest = check_index(settings)
        except StaleIndexError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"index is current: {manifest['passages']} passages in {settings.index_dir}")
        return 0
    manifest = build(settings, load_encoder(settings.encoder), load_semantic_encoder(settings).encoder)
    print(f"built index: {manifest['passages']} passages, dim {manifest['dimension']}, {manifest['build_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
