"""Profiles: shipped national and gansu, a user's TOML laid over national, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import profile
from monitor.rules import RULES
from registry.errors import InvalidValue


def test_shipped_profiles_cover_every_rule() -> None:
    assert profile.shipped() == ["gansu", "national"]
    national = profile.load()
    assert set(national["rules"]) == set(RULES)
    for code, rule in RULES.items():
        assert national["rules"][code]["level"] == rule.level, code
    assert national["rules"]["no_update"]["days"] == 14 and national["scoring"]["enabled"] is False


def test_gansu_overrides() -> None:
    gansu = profile.load("gansu")
    assert gansu["name"] == "gansu"
    assert gansu["rules"]["update_warning"]["days"] == 7
    assert gansu["rules"]["no_update"]["days"] == 14  # inherited from national
    assert gansu["scoring"] == {"enabled": True, "full": 100, "pass": 60}


def test_user_profile_is_laid_over_national(tmp_path: Path) -> None:
    f = tmp_path / "henan.toml"
    f.write_text(
        'name = "henan"\n[rules.commercial_ad]\nlevel = "veto"\n[rules.entertainment]\nenabled = false\n',
        encoding="utf-8",
    )
    p = profile.load(str(f))
    assert p["name"] == "henan" and p["rules"]["commercial_ad"]["level"] == "veto"
    assert profile.rule_config(p, "entertainment")["enabled"] is False
    assert profile.rule_config(p, "no_update") == {"level": "veto", "days": 14, "enabled": True}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("[rules.no_update\n", "TOML"),
        ('[rules.no_update]\nlevel = "fatal"\n', "level"),
        ('[rules.update_slow]\npoints = "ten"\n', "points"),
        ("[sampling]\nrate = 2\n", "sampling.rate"),
    ],
)
def test_bad_profiles(tmp_path: Path, content: str, needle: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidValue) as info:
        profile.load(str(f))
    assert needle in str(info.value)


def test_missing_profile() -> None:
    with pytest.raises(InvalidValue, match="national"):
        profile.load("/no/such/file.toml")
