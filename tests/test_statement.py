"""The accessibility statement's contact details (``[accessibility]`` in the secrets)."""

from __future__ import annotations

import pytest

from listening.errors import ListeningError
from listening.explorer.access import hosting_problems
from listening.explorer.statement import Contact, ContactError


@pytest.mark.parametrize(
    ("given", "reach"),
    [
        ({}, None),
        ({"team": "Research"}, None),  # a team alone is no way to reach anyone
        ({"email": " a.b@x.gov.uk "}, "the team that runs this explorer: email a.b@x.gov.uk."),
        (
            {"team": "Research", "phone": "+44 1223 555555", "email": "r@x.org"},
            "Research, the team that runs this explorer: email r@x.org or telephone 01223 555555.",
        ),
        (
            {"phone": "+33 1 42 68 53 00"},
            "the team that runs this explorer: telephone +33 1 42 68 53 00.",
        ),
    ],
)
def test_the_details_read_as_a_sentence(given, reach):
    assert Contact.from_config(given).reach() == reach


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"email": "research"}, "email 'research' is not an email address"),
        ({"email": "a@b.org, c@d.org"}, "is not an email address"),
        ({"email": "[me](https://evil.example)"}, "is not an email address"),
        ({"phone": "12"}, "phone '12' is not a telephone number"),
        ({"phone": "call us"}, "is not a telephone number"),
        ({"team": "**Research**"}, "team '**Research**' must be a name"),
        ({"team": "x" * 200}, "must be a name of at most 120"),
        ({"mail": "r@x.org"}, "unknown keys mail"),
        ("r@x.org", "must be a section"),
    ],
)
def test_a_mistake_is_named(given, says):
    with pytest.raises(ContactError, match="accessibility") as info:
        Contact.from_config(given)
    assert says in str(info.value)
    assert isinstance(info.value, ListeningError)


def test_make_serve_refuses_a_bad_contact():
    good = hosting_problems({"accessibility": {"email": "r@x.org"}})
    bad = hosting_problems({"accessibility": {"email": "r at x"}})
    assert [p for p in bad if p not in good] == [
        "[accessibility] email 'r at x' is not an email address: write one address, "
        "such as research@example.org."
    ]
