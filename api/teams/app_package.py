"""The Teams app package an administrator uploads (`make teams-app`): manifest.json and the two icons, zipped.

    python -m api.teams.app_package [--out PATH]

The manifest is built from the settings, so the package always names the bot the gateway
answers for; tests validate it against Microsoft's JSON schema (teams/package.json).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.settings import Settings
from api.teams.icons import NAVY, color_icon, outline_icon
from knowledge.settings import PROJECT_ROOT

MANIFEST_VERSION = "1.22"  # accepted by every Teams client; a bot needs nothing newer
PACKAGE = PROJECT_ROOT / "var" / "teams-app" / "rop-veiviser.zip"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
HOST = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)
SHORT_DESCRIPTION = "Hvem har ansvaret for hva ved ROP-lidelser, med kilde i retningslinjen"
FULL_DESCRIPTION = (
    "ROP-veiviser svarer ansatte i kommunen, NAV, DPS og TSB på hvem som har ansvaret for hva for personer "
    "med samtidig rusmiddelproblem og psykisk lidelse (ROP-lidelser). Svaret siterer de nasjonale "
    "retningslinjene ordrett og viser kilden. Finner veiviseren ikke svaret, sier den fra, og du kan be om å "
    "snakke med en rådgiver. Skriv ikke navn, fødselsnummer eller andre personopplysninger. "
    "ROP-veiviser er ingen akuttjeneste: ved akutt fare, ring 113."
)


class PackageRefused(Exception):
    """The settings cannot make a package Teams would accept; the message says what to fix."""


def _app_version() -> str:
    """The project's version: Teams replaces an uploaded app only with a higher one."""
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def _https_url(name: str, value: str, default: str) -> str:
    """A publisher page from the settings, or the gateway's front page."""
    if not value:
        return default
    if not value.startswith("https://"):
        raise PackageRefused(f"{name} må være en https-adresse, ikke «{value}».")
    return value


def manifest(settings: Settings) -> dict[str, Any]:
    """The app manifest for the configured bot, or PackageRefused naming the setting to fix."""
    app_id, domain = settings.microsoft_app_id.strip(), settings.public_domain.strip()
    if not app_id:
        raise PackageRefused(
            "MICROSOFT_APP_ID mangler. Sett app-ID-en til Azure-boten i .env (se README, «Microsoft Teams»)."
        )
    if not GUID.fullmatch(app_id):
        raise PackageRefused(
            f"MICROSOFT_APP_ID «{app_id}» er ikke en GUID (som 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0). "
            "Kopier Microsoft App ID fra Azure-boten."
        )
    if not HOST.fullmatch(domain):
        raise PackageRefused(
            f"PUBLIC_DOMAIN «{domain}» er ikke et vertsnavn. Sett vertsnavnet brukerne når tjenesten på, "
            "uten https:// og /, for eksempel rop.kommune.no."
        )
    if not 0 < len(settings.teams_developer_name.strip()) <= 32:
        raise PackageRefused("TEAMS_DEVELOPER_NAME må ha 1–32 tegn.")
    website = f"https://{domain}/"
    return {
        "$schema": f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": _app_version(),
        "id": app_id,
        "localizationInfo": {"defaultLanguageTag": "nb-no"},
        "developer": {
            "name": settings.teams_developer_name.strip(),
            "websiteUrl": website,
            "privacyUrl": _https_url("TEAMS_PRIVACY_URL", settings.teams_privacy_url.strip(), website),
            "termsOfUseUrl": _https_url("TEAMS_TERMS_URL", settings.teams_terms_url.strip(), website),
        },
        "name": {"short": "ROP-veiviser", "full": "ROP-veiviser: hvem har ansvaret for hva ved ROP-lidelser"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#" + bytes(NAVY).hex().upper(),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
            }
        ],
        "validDomains": [domain],
    }


def build_package(settings: Settings, path: Path = PACKAGE) -> Path:
    """Write the zip Teams takes; the same settings give the same bytes (fixed dates and order)."""
    files = {
        "manifest.json": json.dumps(manifest(settings), ensure_ascii=False, indent=2).encode() + b"\n",
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as package:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            package.writestr(entry, data)
    return path


def main(argv: list[str] | None = None) -> int:
    """Build the package; 0 on success, 1 with a Norwegian message on stderr otherwise."""
    parser = argparse.ArgumentParser(prog="python -m api.teams.app_package", description="Teams app package")
    parser.add_argument("--out", type=Path, default=PACKAGE, help=f"where to write the zip (default {PACKAGE})")
    args = parser.parse_args(argv)
    try:
        path = build_package(Settings(), args.out)
    except ValidationError as error:
        print(f"Ugyldige innstillinger:\n{error}", file=sys.stderr)
        return 1
    except PackageRefused as error:
        print(f"Teams-pakken ble ikke laget: {error}", file=sys.stderr)
        return 1
    print(f"Teams-pakken er klar: {path}. Last den opp i Teams-administrasjonssenteret (Administrer apper).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
