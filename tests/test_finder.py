"""Finder helpers that need no index: how a place may be written."""

from __future__ import annotations

import pytest

from policybot.finder import place_forms


@pytest.mark.parametrize(
    ("place", "forms"),
    [
        ("鹭州市", ["鹭州市", "鹭州"]),  # one level off, not every 州/市 at the end (鹭)
        ("南湖区", ["南湖区", "南湖"]),
        ("贵州省", ["贵州省", "贵州"]),
        ("遵义", ["遵义"]),
        ("黔东南自治州", ["黔东南自治州", "黔东南"]),
    ],
)
def test_a_place_is_looked_for_as_asked_and_without_its_level(place: str, forms: list[str]) -> None:
    assert place_forms(place) == forms
