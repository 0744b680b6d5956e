"""The hosted explorer's allow-list and the check `make serve` runs before serving."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listening.errors import AccessError, ListeningError
from listening.explorer.access import AccessList, hosting_problems, main, read_secrets

LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
DOMAIN = st.lists(LABEL, min_size=2, max_size=4).map(".".join)
LOCAL = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20)

GOOD_SECRETS = {
    "auth": {
        "redirect_uri": "https://explorer.example.org/oauth2callback",
        "cookie_secret": "a" * 64,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    },
    "access": {"allowed_domains": ["cambs.gov.uk"]},
}


def _mixed_case(text: str, data) -> str:
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


@given(local=LOCAL, domain=DOMAIN, data=st.data())
def test_a_listed_domain_admits_its_addresses_in_any_case(local, domain, data):
    allow = AccessList.from_config({"allowed_domains": [_mixed_case(domain, data)]})
    assert allow.allows(_mixed_case(f"{local}@{domain}", data))
    assert allow.allows(f"  {local}@{domain} ")


@given(local=LOCAL, domain=DOMAIN, prefix=LABEL)
def test_a_domain_never_admits_subdomains_or_look_alike_suffixes(local, domain, prefix):
    allow = AccessList.from_config({"allowed_domains": [domain]})
    assert not allow.allows(f"{local}@{prefix}.{domain}")  # subdomain
    assert not allow.allows(f"{local}@{prefix}-{domain}")  # evil-cambs.gov.uk
    assert not allow.allows(f"{local}@{prefix}{domain}")
    assert not allow.allows(f"{local}@{domain}.{prefix}")  # cambs.gov.uk.attacker
    assert not allow.allows(f"{local}@{domain}@{prefix}.org")
    assert not allow.allows(f"{domain}@{prefix}.org")  # the domain as a local part


@given(local=LOCAL, other=LOCAL, domain=DOMAIN)
def test_a_listed_address_admits_only_itself(local, other, domain):
    allow = AccessList.from_config({"allowed_emails": [f"{local}@{domain}"]})
    assert allow.allows(f"{local.upper()}@{domain.upper()}")
    assert allow.allows(f"{other}@{domain}") == (other.lower() == local.lower())


@pytest.mark.parametrize(
    "email",
    [
        "jo@cambs.gov.u\u212a",  # Kelvin sign, lower-cases to k
        "jo@camb\u017f.gov.uk",  # long s, case-folds to s
        "jo@cambs.gov.uk.",
        "jo@cambs.gov.uk\u200b",
        "jo\x00@cambs.gov.uk",
        "jo @cambs.gov.uk",
        '"jo@x"@cambs.gov.uk',
        "@cambs.gov.uk",
        "cambs.gov.uk",
        "",
        None,
        42,
        ["jo@cambs.gov.uk"],
    ],
)
def test_malformed_or_look_alike_addresses_are_refused(email):
    allow = AccessList.from_config({"allowed_domains": ["cambs.gov.uk"]})
    assert allow.allows("jo@cambs.gov.uk")
    assert not allow.allows(email)


def test_an_unverified_email_claim_is_refused():
    allow = AccessList.from_config({"allowed_emails": ["jo@example.org"]})
    assert allow.allows("jo@example.org", verified=True)
    assert allow.allows("jo@example.org", verified=None)  # Entra ID sends no such claim
    assert not allow.allows("jo@example.org", verified=False)


def test_an_empty_allow_list_admits_nobody():
    for config in (None, {}, {"allowed_emails": [], "allowed_domains": []}):
        allow = AccessList.from_config(config)
        assert allow.empty
        assert not allow.allows("jo@example.org")


@pytest.mark.parametrize(
    "config",
    [
        {"allowed_domains": ["*.cambs.gov.uk"]},
        {"allowed_domains": ["cambs"]},
        {"allowed_domains": ["camb\u017f.gov.uk"]},
        {"allowed_emails": ["not an address"]},
        {"allowed_emails": [1, 2]},
        {"allowed_domains": {"cambs.gov.uk": True}},
    ],
)
def test_bad_allow_list_entries_are_explained(config):
    with pytest.raises(AccessError, match=r"\[access\]") as info:
        AccessList.from_config(config)
    assert isinstance(info.value, ListeningError)


def test_good_secrets_have_no_problems():
    assert hosting_problems(GOOD_SECRETS) == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda s: s.pop("auth"), "No [auth] section"),
        (lambda s: s["auth"].pop("client_secret"), "lacks client_secret"),
        (lambda s: s["auth"].update(redirect_uri="https://x.org/"), "/oauth2callback"),
        (lambda s: s["auth"].update(redirect_uri="http://x.org/oauth2callback"), "https://"),
        (lambda s: s["auth"].update(cookie_secret="short"), "cookie_secret"),
        (lambda s: s["auth"].update(client_secret="change-me"), "placeholders"),
        (lambda s: s.pop("access"), "allow-list is empty"),
        (lambda s: s["access"].update(allowed_domains=[]), "allow-list is empty"),
        (lambda s: s["access"].update(allowed_domains=["*.x.org"]), "wildcards"),
    ],
)
def test_each_missing_piece_is_named(change, says):
    secrets = {key: dict(value) for key, value in GOOD_SECRETS.items()}
    change(secrets)
    problems = hosting_problems(secrets)
    assert problems and any(says in p for p in problems), problems


def test_localhost_identity_provider_may_use_http():
    secrets = {key: dict(value) for key, value in GOOD_SECRETS.items()}
    secrets["auth"].update(
        redirect_uri="http://localhost:8501/oauth2callback",
        server_metadata_url="http://127.0.0.1:9400/.well-known/openid-configuration",
    )
    assert hosting_problems(secrets) == []


def test_the_shipped_example_is_refused_until_filled_in():
    example = read_secrets(Path(__file__).parents[1] / ".streamlit" / "secrets.toml.example")
    problems = hosting_problems(example)
    assert any("placeholders" in p for p in problems)
    assert any("cookie_secret" in p for p in problems)
    assert not any("lacks" in p or "No [auth]" in p for p in problems)  # every key is there


def test_the_serve_check_exits_2_with_reasons_or_0(tmp_path, capsys):
    missing = tmp_path / "secrets.toml"
    assert main([str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    missing.write_text('[auth]\nclient_id = "x"\n', encoding="utf-8")
    assert main([str(missing)]) == 2
    err = capsys.readouterr().err
    assert "Refusing to serve" in err and "allow-list is empty" in err
    missing.write_text("[auth\n", encoding="utf-8")
    with pytest.raises(AccessError, match="not valid TOML"):
        read_secrets(missing)
    auth = GOOD_SECRETS["auth"]
    missing.write_text(
        "[auth]\n"
        + "".join(f'{key} = "{value}"\n' for key, value in auth.items())
        + '[access]\nallowed_emails = ["jo@example.org"]\n',
        encoding="utf-8",
    )
    assert main([str(missing)]) == 0
