"""The Teams app package an administrator uploads: valid for Microsoft's schema, named after our bot,
with icons Teams accepts, and no package at all when the settings cannot make a working one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import png
import pytest
from jsonschema import Draft4Validator, Draft6Validator, FormatChecker, validators

from api.settings import Settings
from api.teams.app_package import MANIFEST_VERSION, PackageRefused, build_package, manifest
from knowledge.settings import PROJECT_ROOT

APP_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
SCHEMAS = PROJECT_ROOT / "teams" / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"


def package_settings(**overrides: Any) -> Settings:
    """Teams settings as an administrator writes them in .env (the developer's own .env is not read)."""
    values = {
        "microsoft_app_id": APP_ID,
        "microsoft_app_password": "secret",
        "microsoft_app_tenant_id": "tenant",
        "public_domain": "rop.kommune.no",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


def teams_schema() -> Draft4Validator:
    """Microsoft's manifest schema from npm (`make install`, teams/package.json). It declares draft-04
    but uses draft-06's `const` for manifestVersion, as Microsoft's own ajv check reads it."""
    path = SCHEMAS / f"v{MANIFEST_VERSION}" / "MicrosoftTeams.schema.json"
    assert path.is_file(), f"{path} is missing: make install fetches it with npm (teams/package.json)"
    schema = json.loads(path.read_text(encoding="utf-8"))
    checker = validators.extend(Draft4Validator, {"const": Draft6Validator.VALIDATORS["const"]})
    checker.check_schema(schema)
    formats = FormatChecker()
    formats.checks("uri")(lambda value: bool(urlsplit(value).scheme and urlsplit(value).netloc))
    return checker(schema, format_checker=formats)


@pytest.fixture
def package(tmp_path: Path) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(build_package(package_settings(), tmp_path / "rop-veiviser.zip")) as built:
        yield built


def read_png(data: bytes) -> tuple[int, int, dict[str, Any], list[list[int]]]:
    width, height, rows, info = png.Reader(bytes=data).read()
    return width, height, info, [list(row) for row in rows]


def test_package_holds_the_manifest_and_the_two_icons_it_names(package: zipfile.ZipFile) -> None:
    assert package.namelist() == ["manifest.json", "color.png", "outline.png"]
    icons = json.loads(package.read("manifest.json"))["icons"]
    assert icons == {"color": "color.png", "outline": "outline.png"}


def test_manifest_is_valid_for_microsofts_teams_schema(package: zipfile.ZipFile) -> None:
    schema = teams_schema()
    built = json.loads(package.read("manifest.json").decode("utf-8"))
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in schema.iter_errors(built)]
    assert errors == []
    assert built["manifestVersion"] == MANIFEST_VERSION and built["$schema"].endswith(
        f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
    )
    # The schema does reject what Teams would: a newer version claim, an unknown scope, a long name.
    for broken in (
        built | {"manifestVersion": "1.99"},
        built | {"bots": [built["bots"][0] | {"scopes": ["personal", "everyone"]}]},
        built | {"name": {"short": "ROP-veiviser for alle kommuner i Norge"}},
    ):
        assert not schema.is_valid(broken)


def test_manifest_names_our_bot_in_every_scope_with_the_public_domain_from_settings() -> None:
    built = manifest(package_settings(public_domain="rop.bergen.kommune.no", teams_developer_name="Bergen kommune"))
    (bot,) = built["bots"]
    assert built["id"] == bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert built["validDomains"] == ["rop.bergen.kommune.no"]
    assert built["developer"] == {
        "name": "Bergen kommune",
        "websiteUrl": "https://rop.bergen.kommune.no/",
        "privacyUrl": "https://rop.bergen.kommune.no/",
        "termsOfUseUrl": "https://rop.bergen.kommune.no/",
    }
    privacy = "https://www.bergen.kommune.no/personvern"
    assert manifest(package_settings(teams_privacy_url=privacy))["developer"]["privacyUrl"] == privacy


def test_manifest_speaks_norwegian_and_says_it_is_no_emergency_service() -> None:
    built = manifest(package_settings())
    assert built["localizationInfo"] == {"defaultLanguageTag": "nb-no"}
    assert built["name"]["short"] == "ROP-veiviser"
    assert "Hvem har ansvaret" in built["description"]["short"]
    assert "ring 113" in built["description"]["full"] and "rådgiver" in built["description"]["full"]


def test_colour_icon_is_192_pixels_square_opaque_and_in_colour(package: zipfile.ZipFile) -> None:
    width, height, info, rows = read_png(package.read("color.png"))
    assert (width, height) == (192, 192) and not info["alpha"] and not info["greyscale"]
    pixels = {tuple(row[i : i + 3]) for row in rows for i in range(0, len(row), 3)}
    assert (0x1D, 0x35, 0x57) in pixels and (255, 255, 255) in pixels  # navy ground, white bubble
    assert tuple(rows[0][:3]) == (0x1D, 0x35, 0x57)  # edge to edge, as Teams asks


def test_outline_icon_is_32_pixels_square_white_on_transparent(package: zipfile.ZipFile) -> None:
    width, height, info, rows = read_png(package.read("outline.png"))
    assert (width, height) == (32, 32) and info["alpha"]
    pixels = [tuple(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)]
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3] > 0)  # white wherever drawn
    assert pixels[0][3] == 0 and sum(pixel[3] == 0 for pixel in pixels) > len(pixels) / 2
    assert any(pixel[3] == 255 for pixel in pixels)


def test_the_same_settings_give_the_same_package(tmp_path: Path) -> None:
    """An administrator can check that the uploaded package is the one built from this code."""
    first = build_package(package_settings(), tmp_path / "a.zip").read_bytes()
    assert build_package(package_settings(), tmp_path / "b.zip").read_bytes() == first


def make_teams_app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`make teams-app` as the administrator runs it, with their .env values in the environment."""
    teams = {"MICROSOFT_APP_PASSWORD": "secret", "MICROSOFT_APP_TENANT_ID": "tenant", "PUBLIC_DOMAIN": "rop.kommune.no"}
    command = [sys.executable, "-m", "api.teams.app_package", "--out", str(tmp_path / "rop-veiviser.zip")]
    environment = os.environ | teams | env
    return subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_make_teams_app_writes_the_package_and_says_where(tmp_path: Path) -> None:
    done = make_teams_app(tmp_path, MICROSOFT_APP_ID=APP_ID)
    assert done.returncode == 0, done.stderr
    assert "Teams-pakken er klar" in done.stdout and str(tmp_path / "rop-veiviser.zip") in done.stdout
    assert zipfile.is_zipfile(tmp_path / "rop-veiviser.zip")


def test_make_teams_app_without_an_app_id_fails_in_norwegian_and_writes_nothing(tmp_path: Path) -> None:
    done = make_teams_app(tmp_path, MICROSOFT_APP_ID="")
    assert done.returncode == 1
    assert "Teams-pakken ble ikke laget: MICROSOFT_APP_ID mangler" in done.stderr
    assert not (tmp_path / "rop-veiviser.zip").exists()


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"microsoft_app_id": "rop-veiviser-bot"}, "«rop-veiviser-bot» er ikke en GUID"),
        ({"microsoft_app_id": APP_ID[:-1]}, "er ikke en GUID"),
        ({"public_domain": ""}, "PUBLIC_DOMAIN «» er ikke et vertsnavn"),
        ({"public_domain": "https://rop.kommune.no/"}, "uten https:// og /"),
        ({"teams_privacy_url": "http://kommune.no/personvern"}, "TEAMS_PRIVACY_URL må være en https-adresse"),
        ({"teams_developer_name": "Rådgivningstjenesten for ROP i Vestland"}, "TEAMS_DEVELOPER_NAME må ha 1–32 tegn"),
    ],
)
def test_no_manifest_from_settings_teams_would_not_accept(overrides: dict[str, str], says: str) -> None:
    with pytest.raises(PackageRefused, match=re.escape(says)):
        manifest(package_settings(**overrides))
