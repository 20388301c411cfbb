"""The Dutch catalogue is complete and in step with the code; the English one needs no translations but plurals."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from babel.messages.pofile import read_po

from portal import i18n

PORTAL = Path(__file__).parents[3] / "services" / "portal"


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (PORTAL / "portal" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_every_message_has_a_dutch_translation_with_the_same_placeholders() -> None:
    missing, broken = [], []
    for message in _catalogue("nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(ids[0])
            continue
        placeholders = {p for text in ids for p in _placeholders(text)}
        if any(_placeholders(text) - placeholders for text in strings) or not _placeholders(strings[0]) >= {
            p for p in _placeholders(ids[0]) if p != "%(num)s"
        }:
            broken.append(ids[0])
    assert missing == [], (
        f"{len(missing)} messages without Dutch: run services/portal/scripts/messages.sh and translate"
    )
    assert broken == []


def _placeholders(text: str) -> set[str]:

    return set(re.findall(r"%\([a-z_]+\)s", text))


def test_the_catalogues_hold_exactly_the_messages_the_code_uses(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(template),
            ".",
        ],
        cwd=PORTAL,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as pot:
        used = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    for language in i18n.LANGUAGES:
        kept = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(language) if m.id}
        assert kept == used, f"{language}: run services/portal/scripts/messages.sh"


def test_the_language_is_the_visitors_choice_then_the_browsers_then_dutch() -> None:
    assert i18n.pick_language("en", "nl-NL") == "en"
    assert i18n.pick_language(None, "de-DE,en-GB;q=0.8,nl;q=0.5") == "en"
    assert i18n.pick_language(None, "fr, de") == "nl"
    assert i18n.pick_language("xx", None) == "nl"
