"""Advisor accounts from the command line (run in the services environment):

    python -m api.admin add-advisor NAME      password line, then the bearer token as the last line
    python -m api.admin new-token NAME        a new bearer token as the last line (the old one stops working)
    python -m api.admin new-password NAME     a new console password as the last line

Secrets are printed once and stored only as hashes.
"""

from __future__ import annotations

import argparse
import sys

from api.settings import Settings
from api.store.advisors import AdvisorExists, AdvisorStore, UnknownAdvisor
from api.store.database import make_engine, migrate, session_factory


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 with a message on stderr otherwise."""
    parser = argparse.ArgumentParser(prog="python -m api.admin", description="Advisor accounts for ROP-veiviser")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("add-advisor", "register an advisor"),
        ("new-token", "replace an advisor's API token"),
        ("new-password", "replace an advisor's console password"),
    ):
        commands.add_parser(name, help=text).add_argument("name", help="the advisor's login name")
    args = parser.parse_args(argv)
    name = args.name.strip()
    if not name or len(name) > 80:
        print("Navnet må ha 1–80 tegn.", file=sys.stderr)
        return 1
    engine = make_engine(Settings().database_url)
    migrate(engine)
    advisors = AdvisorStore(session_factory(engine))
    try:
        if args.command == "add-advisor":
            password, token = advisors.add(name)
            print(f"Rådgiver {name} er opprettet. Passord for konsollet (/advisor): {password}")
            print("API-nøkkel (vises bare nå):")
            print(token)
        elif args.command == "new-token":
            print(advisors.new_token(name))
        else:
            print(advisors.new_password(name))
    except AdvisorExists:
        print(f"Rådgiveren {name} finnes allerede.", file=sys.stderr)
        return 1
    except UnknownAdvisor:
        print(f"Fant ingen rådgiver med navnet {name}.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
