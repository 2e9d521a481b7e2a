"""Pagination tokens: signed, scoped to one listing and one deployment's key."""

from __future__ import annotations

from typing import Any

import pytest

from customlabels.pagination import InvalidToken, PageTokens


def test_tokens_round_trip_within_their_scope() -> None:
    tokens = PageTokens(b"k" * 32)
    token = tokens.issue("DescribeProjects|a", {"after": "index/projects/1/p"})
    assert tokens.read("DescribeProjects|a", token) == {"after": "index/projects/1/p"}
    assert tokens.read("DescribeProjects|a", None) is None
    assert tokens.read("DescribeProjects|a", "") is None  # the samples send NextToken="" first (L12255)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace("v1.", "v2."),
        lambda token: "garbage",
        lambda token: "v1.e30.AAAA",
        lambda token: "v1.!!!.???",
        lambda token: "v1." + "é" * 10 + ".x",
    ],
)
def test_forged_tokens_are_refused(forge: Any) -> None:
    tokens = PageTokens(b"k" * 32)
    token = tokens.issue("scope", {"offset": 100})
    with pytest.raises(InvalidToken):
        tokens.read("scope", forge(token))


def test_tokens_do_not_move_between_listings_or_deployments() -> None:
    token = PageTokens(b"k" * 32).issue("DescribeProjectVersions|arn-1", {"offset": 1})
    with pytest.raises(InvalidToken):
        PageTokens(b"k" * 32).read("DescribeProjectVersions|arn-2", token)
    with pytest.raises(InvalidToken):
        PageTokens(b"j" * 32).read("DescribeProjectVersions|arn-1", token)
