"""Who may use the hosted explorer: sign-in settings and the allow-list.

The hosted explorer (``make serve``) signs people in with OpenID Connect
(Streamlit's ``st.login``) and then lets in only the e-mail addresses and
domains listed in ``.streamlit/secrets.toml``::

    [access]
    allowed_emails = ["analyst@example.org"]
    allowed_domains = ["cambs.gov.uk"]

Matching is exact and case-insensitive (ASCII only, so look-alike letters
such as the Kelvin sign cannot pass for ``k``). A domain admits addresses at
that domain only: not its subdomains, and not names that merely end the same
way (``evil-cambs.gov.uk``).

Run ``python -m listening.explorer.access .streamlit/secrets.toml`` to check
a secrets file before serving: it prints what is missing and exits 2.

Examples
--------
>>> allow = AccessList.from_config({"allowed_domains": ["Cambs.gov.uk"]})
>>> allow.allows("Jo.Smith@CAMBS.gov.uk")
True
>>> allow.allows("jo@evil-cambs.gov.uk"), allow.allows("jo@x.cambs.gov.uk")
(False, False)
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from listening.errors import AccessError
from listening.explorer.statement import SECTION, Contact, ContactError

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
"""Keys the ``[auth]`` section needs for Streamlit's ``st.login`` (one provider)."""

MIN_COOKIE_SECRET = 32
"""Shortest accepted ``cookie_secret``, in characters (``openssl rand -hex 32`` gives 64)."""

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_PLACEHOLDERS = ("change-me", "YOUR-TENANT-ID")  # as in .streamlit/secrets.toml.example


def _domain(text: str) -> str | None:
    """A lower-case DNS domain, or None if ``text`` is not one (ASCII only)."""
    if not text.isascii():
        return None
    domain = text.lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return domain


def _address(email: object) -> tuple[str, str] | None:
    """``(local part, domain)`` of a plain e-mail address, lower-cased, or None.

    Refused: anything not a string, non-ASCII text, spaces or control
    characters, more or fewer than one ``@``, an empty local part, quotes.
    """
    if not isinstance(email, str):
        return None
    text = email.strip()
    if not text.isascii() or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    local, at, domain = text.partition("@")
    if not at or not local or "@" in domain or '"' in local:
        return None
    checked = _domain(domain)
    return None if checked is None else (local.lower(), checked)


def _entries(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise AccessError(
            f"[access] {key} in .streamlit/secrets.toml must be a list of strings, "
            f'like {key} = ["one", "two"]; it is {value!r}.'
        )
    return list(value)


@dataclass(frozen=True)
class AccessList:
    """The e-mail addresses and domains allowed into the hosted explorer.

    Parameters
    ----------
    emails : frozenset of str
        Whole addresses, lower-case.
    domains : frozenset of str
        Domains, lower-case, without ``@``: an address is allowed when the part
        after its ``@`` is exactly one of them.

    Examples
    --------
    >>> allow = AccessList(emails=frozenset({"jo@example.org"}), domains=frozenset())
    >>> allow.allows("JO@example.org"), allow.allows("al@example.org")
    (True, False)
    """

    emails: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> AccessList:
        """The allow-list from the ``[access]`` section of the secrets.

        Parameters
        ----------
        section : mapping or None
            With ``allowed_emails`` and/or ``allowed_domains``: lists of strings
            (a single string is taken as a list of one). A domain may be written
            with a leading ``@``.

        Returns
        -------
        AccessList
            Possibly empty (then nobody is allowed: see :attr:`empty`).

        Raises
        ------
        AccessError
            If an entry is not a plain address or domain (for instance a
            wildcard ``*.cambs.gov.uk``: list each domain exactly).

        Examples
        --------
        >>> AccessList.from_config({"allowed_domains": "@example.org"}).domains
        frozenset({'example.org'})
        >>> AccessList.from_config(None).empty
        True
        """
        section = section or {}
        emails: set[str] = set()
        for entry in _entries(section, "allowed_emails"):
            address = _address(entry)
            if address is None:
                raise AccessError(
                    f"[access] allowed_emails has {entry!r}, which is not a plain e-mail "
                    f"address (name@domain, ASCII letters); correct it or remove it."
                )
            emails.add("@".join(address))
        domains: set[str] = set()
        for entry in _entries(section, "allowed_domains"):
            domain = _domain(entry.strip().removeprefix("@"))
            if domain is None:
                raise AccessError(
                    f"[access] allowed_domains has {entry!r}, which is not a domain like "
                    f"cambs.gov.uk; wildcards are not supported: list each domain exactly."
                )
            domains.add(domain)
        return cls(emails=frozenset(emails), domains=frozenset(domains))

    @property
    def empty(self) -> bool:
        """True when no address or domain is listed (nobody may sign in)."""
        return not self.emails and not self.domains

    def allows(self, email: object, *, verified: object = None) -> bool:
        """Whether a signed-in person with this ``email`` claim may use the explorer.

        Parameters
        ----------
        email : object
            The identity provider's ``email`` claim; anything that is not a
            plain e-mail address is refused.
        verified : object, optional
            The ``email_verified`` claim: an explicit ``False`` refuses the
            address; absent (None, as with Microsoft Entra ID) does not.

        Returns
        -------
        bool

        Examples
        --------
        >>> allow = AccessList.from_config({"allowed_domains": ["example.org"]})
        >>> allow.allows("jo@example.org", verified=False), allow.allows(None)
        (False, False)
        """
        if verified is False:
            return False
        address = _address(email)
        if address is None:
            return False
        return "@".join(address) in self.emails or address[1] in self.domains


def _local(url: str) -> bool:
    return (urlparse(url).hostname or "") in _LOCAL_HOSTS


def hosting_problems(secrets: Mapping[str, Any]) -> list[str]:
    """What stops these secrets from serving the explorer safely (empty: nothing).

    Parameters
    ----------
    secrets : mapping
        The parsed ``.streamlit/secrets.toml``.

    Returns
    -------
    list of str
        One sentence per problem, saying what to set: the ``[auth]`` keys
        (:data:`AUTH_KEYS`), a ``redirect_uri`` ending ``/oauth2callback``,
        https addresses (except on localhost), a long enough ``cookie_secret``,
        a valid, non-empty ``[access]`` allow-list, and valid ``[accessibility]``
        contact details when given (:mod:`listening.explorer.statement`).

    Examples
    --------
    >>> [problem.split(":")[0] for problem in hosting_problems({})]
    ['No [auth] section', 'The allow-list is empty']
    """
    problems: list[str] = []
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        problems.append(
            f"No [auth] section: add one with {', '.join(AUTH_KEYS)} "
            f"(see .streamlit/secrets.toml.example)."
        )
        auth = {}
    else:
        missing = [key for key in AUTH_KEYS if not str(auth.get(key, "")).strip()]
        if missing:
            problems.append(f"[auth] lacks {', '.join(missing)}: set them.")
    redirect = str(auth.get("redirect_uri", ""))
    if redirect and not redirect.endswith("/oauth2callback"):
        problems.append(
            f"[auth] redirect_uri {redirect!r} must end with /oauth2callback "
            f"(for instance https://explorer.example.org/oauth2callback)."
        )
    for key in ("redirect_uri", "server_metadata_url"):
        url = str(auth.get(key, ""))
        if url and not url.startswith("https://") and not _local(url):
            problems.append(f"[auth] {key} {url!r} must be an https:// address.")
    placeholders = [
        key for key, value in auth.items() if any(p in str(value) for p in _PLACEHOLDERS)
    ]
    if placeholders:
        problems.append(
            f"[auth] {', '.join(placeholders)} still hold the example's placeholders: "
            f"put in your identity provider's values."
        )
    secret = str(auth.get("cookie_secret", ""))
    if secret and (len(secret) < MIN_COOKIE_SECRET or "change-me" in secret):
        problems.append(
            f"[auth] cookie_secret must be a random string of at least {MIN_COOKIE_SECRET} "
            f"characters: make one with `openssl rand -hex 32`."
        )
    try:
        allowed = AccessList.from_config(secrets.get("access"))
    except AccessError as err:
        problems.append(str(err))
    else:
        if allowed.empty:
            problems.append(
                "The allow-list is empty: list who may sign in under [access] as "
                "allowed_emails and/or allowed_domains."
            )
    try:
        Contact.from_config(secrets.get(SECTION))
    except ContactError as err:
        problems.append(str(err))
    return problems


def read_secrets(path: str | Path) -> dict[str, Any]:
    """Parse a ``secrets.toml`` file.

    Raises
    ------
    AccessError
        If the file is missing or is not valid TOML (with the line).

    Examples
    --------
    >>> read_secrets("no/such/secrets.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    listening.errors.AccessError: no/such/secrets.toml does not exist: ...
    """
    file = Path(path)
    if not file.is_file():
        raise AccessError(
            f"{file} does not exist: copy .streamlit/secrets.toml.example there and fill it "
            f"in (docs/deploy.md)."
        )
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AccessError(f"{file} is not valid TOML: {err}. Correct it.") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Check a secrets file for serving; print the problems, return 0 or 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = args[0] if args else ".streamlit/secrets.toml"
    try:
        problems = hosting_problems(read_secrets(path))
    except AccessError as err:
        problems = [str(err)]
    if problems:
        print(f"Refusing to serve: sign-in is not configured in {path}.", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("See docs/deploy.md. `make app` runs on localhost without sign-in.", file=sys.stderr)
        return 2
    print(f"Sign-in is configured in {path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
