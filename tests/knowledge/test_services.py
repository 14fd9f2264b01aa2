"""Passages are tagged with the services they name; a broken vocabulary is reported, not served."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.services import load_services, tag
from knowledge.settings import KnowledgeSettings


def test_abbreviations_inflections_and_two_word_names_are_tagged() -> None:
    services = load_services(KnowledgeSettings().services_file)
    text = "DPSene og det psykiske helsevernet skal samarbeide med kommunene og NAV om løslatelse fra fengsel."
    assert set(tag(text, services)) >= {"dps", "psykisk_helsevern", "kommunen", "nav", "kriminalomsorgen"}
    assert "nav" not in tag("Navnet på tjenesten", services)


def test_an_invalid_pattern_names_the_service(tmp_path: Path) -> None:
    path = tmp_path / "services.yml"
    path.write_text("services:\n  nav:\n    name: NAV\n    patterns: ['NAV(']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'nav' has an invalid pattern"):
        load_services(path)


def test_a_service_without_patterns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "services.yml"
    path.write_text("services:\n  nav:\n    name: NAV\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'nav' needs a name and at least one pattern"):
        load_services(path)
