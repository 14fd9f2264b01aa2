"""Advisor accounts and the audit log from the command line (run in the services environment):

    python -m api.admin add-advisor NAME [--role editor|admin]   password line, then the bearer token as the last line
    python -m api.admin new-token NAME        a new bearer token as the last line (the old one and console sessions end)
    python -m api.admin new-password NAME     a new console password as the last line (console sessions end)
    python -m api.admin audit [--limit N]     the newest audit log entries, newest first
    python -m api.admin purge                 delete what is older than RETENTION_DAYS (for a system timer)

Secrets are printed once and stored only as hashes.
"""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import ValidationError

from api.retention import RetentionReport, purge
from api.settings import Settings
from store.advisors import AdvisorExists, AdvisorStore, UnknownAdvisor
from store.audit import AuditLog
from store.database import make_engine, migrate, session_factory
from store.models import ROLES, AuditEntry


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.admin", description="Advisor accounts for ROP-veiviser")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("add-advisor", "register an advisor"),
        ("new-token", "replace an advisor's API token"),
        ("new-password", "replace an advisor's console password"),
        ("disable-advisor", "an advisor who has left: token, password and sessions stop working"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("name", help="the advisor's login name")
        if name == "add-advisor":
            command.add_argument(
                "--role",
                choices=ROLES,
                default="advisor",
                help="editor: also the insights page; admin: also insights, the audit log and others' cases",
            )
    audit = commands.add_parser("audit", help="print the newest audit log entries")
    audit.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    commands.add_parser(
        "purge", help="delete closed cases, feedback, insight events and Rasa events older than RETENTION_DAYS"
    )
    return parser


def _audit_line(entry: AuditEntry) -> str:
    """One entry per line; the name is quoted, so a name tried with control characters cannot
    play tricks on the terminal."""
    case = f"sak {entry.case_id}" if entry.case_id is not None else ""
    name = json.dumps(entry.name, ensure_ascii=False)
    return f"{entry.at:%Y-%m-%d %H:%M:%S} UTC  {entry.action:<12}  {name}  {entry.address or '-'}  {case}".rstrip()


def _purge_lines(report: RetentionReport, days: int) -> list[str]:
    """What a purge deleted, one kind per line."""
    purged = report.purged
    return [
        f"Slettet det som er eldre enn {days} dager (før {report.cutoff:%Y-%m-%d %H:%M} UTC):",
        f"  lukkede saker: {purged.cases}",
        f"  meldinger i sakene: {purged.messages}",
        f"  tilbakemeldinger: {purged.feedback}",
        f"  spørsmål og akutte meldinger i innsikten: {purged.insight_events}",
        f"  hendelser i Rasa: {report.events}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 with a message on stderr otherwise."""
    args = _parser().parse_args(argv)
    name = args.name.strip() if "name" in args else ""
    if "name" in args and not 0 < len(name) <= 80:
        print("Navnet må ha 1–80 tegn.", file=sys.stderr)
        return 1
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Ugyldige innstillinger:\n{error}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    advisors = AdvisorStore(sessions)
    try:
        if args.command == "add-advisor":
            password, token = advisors.add(name, args.role)
            print(f"Rådgiver {name} ({args.role}) er opprettet. Passord for konsollet (/advisor): {password}")
            print("API-nøkkel (vises bare nå):")
            print(token)
        elif args.command == "new-token":
            print(advisors.new_token(name))
        elif args.command == "new-password":
            print(advisors.new_password(name))
        elif args.command == "disable-advisor":
            advisors.disable(name)
            print(f"Rådgiver {name} er deaktivert: nøkkel, passord og innlogginger virker ikke lenger.")
        elif args.command == "purge":
            print("\n".join(_purge_lines(purge(settings, sessions), settings.retention_days)))
        else:
            for entry in AuditLog(sessions).recent(max(1, args.limit)):
                print(_audit_line(entry))
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
