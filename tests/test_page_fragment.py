"""The pages' fragments (``shared.page_fragment``) rerun without ``app.py``'s sign-in gate, so
each rerun checks ``shared.still_allowed`` first: the gate's own test, here on stand-ins for
Streamlit's secrets and signed-in user."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app_pages import shared

ACCESS = {"allowed_emails": ["ana@cambs.gov.uk"], "allowed_domains": ["peterborough.gov.uk"]}


class Secrets(dict):
    """``st.secrets`` as the gate reads it: a mapping, ``load_if_toml_exists`` true when
    there is a secrets file."""

    def load_if_toml_exists(self) -> bool:
        return bool(self)


class User(dict):
    """``st.user``: the OpenID Connect claims, and whether signed in."""

    def __init__(self, logged_in: bool, **claims: object) -> None:
        super().__init__(claims)
        self.is_logged_in = logged_in


def _streamlit(monkeypatch, secrets: dict, user: User) -> list[str]:
    """Stand-ins for what ``shared`` reads of Streamlit; the reruns it asks for."""
    reruns: list[str] = []

    def rerun(*, scope: str) -> None:
        reruns.append(scope)
        raise RuntimeError("rerun")  # st.rerun never returns

    fake = SimpleNamespace(
        secrets=Secrets(secrets), user=user, rerun=rerun, fragment=lambda body: body
    )
    monkeypatch.setattr(shared, "st", fake)
    return reruns


SIGNED_IN = {"auth": {"provider": "x"}, "access": ACCESS}


@pytest.mark.parametrize(
    ("secrets", "user", "allowed"),
    [
        ({}, User(False), True),  # no sign-in (make app on localhost)
        (SIGNED_IN, User(False), False),  # signed out meanwhile
        (SIGNED_IN, User(True, email="ana@cambs.gov.uk", email_verified=True), True),
        (SIGNED_IN, User(True, email="bo@peterborough.gov.uk", email_verified=True), True),
        (SIGNED_IN, User(True, email="eve@evil-cambs.gov.uk", email_verified=True), False),
        (SIGNED_IN, User(True, email="ana@cambs.gov.uk", email_verified=False), False),
        ({"auth": {"provider": "x"}}, User(True, email="ana@cambs.gov.uk"), False),
        (
            {"auth": {}, "access": {"allowed_domains": "*.cambs.gov.uk"}},
            User(True, email="a@b.c"),
            False,
        ),
    ],
)
def test_still_allowed_is_the_gates_test(monkeypatch, secrets, user, allowed) -> None:
    _streamlit(monkeypatch, secrets, user)
    assert shared.still_allowed() is allowed


def test_a_fragment_runs_its_body_only_while_allowed(monkeypatch) -> None:
    ran: list[str] = []
    user = User(True, email="ana@cambs.gov.uk", email_verified=True)
    reruns = _streamlit(monkeypatch, SIGNED_IN, user)
    body = shared.page_fragment(lambda: ran.append("body"))
    body()
    assert (ran, reruns) == (["body"], [])
    user.is_logged_in = False  # signed out in another tab: the next rerun goes to the gate
    with pytest.raises(RuntimeError, match="rerun"):
        body()
    assert (ran, reruns) == (["body"], ["app"])
