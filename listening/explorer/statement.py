"""Who to contact about the explorer's accessibility: the deployment's own details.

The accessibility statement the regulations require names a way to report a
problem or ask for another format. Each deployment has its own team, so the
details come from the ``[accessibility]`` section of
``.streamlit/secrets.toml``::

    [accessibility]
    team = "Research and Analysis, Office of the Police and Crime Commissioner"
    email = "research@example.org"
    phone = "01223 555 555"

Every key is optional. The values are checked (an email address of one
mailbox, a UK or international telephone number as :mod:`phonenumbers`
validates it, a team name of plain words), so a typing mistake stops
``make serve`` (:func:`listening.explorer.access.hosting_problems`) rather than
putting a wrong address on a public page.

Examples
--------
>>> contact = Contact.from_config({"email": "research@example.org",
...                                "phone": "01223 555555"})
>>> contact.reach()
'the team that runs this explorer: email research@example.org or telephone 01223 555555.'
>>> Contact.from_config(None).reach() is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from listening.errors import ListeningError

SECTION = "accessibility"
"""The section of ``.streamlit/secrets.toml`` holding the contact details."""
KEYS = ("team", "email", "phone")
MAX_TEAM = 120
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_TEAM = re.compile(r"[\w ,.'()&/-]+")


class ContactError(ListeningError):
    """The accessibility contact details in ``.streamlit/secrets.toml`` cannot be used."""


@dataclass(frozen=True)
class Contact:
    """The team, email address and telephone number a visitor may contact (each optional).

    Attributes
    ----------
    team, email, phone : str or None
        As checked; ``phone`` in the national format of its country (``+44``
        numbers as UK numbers are written in the UK).
    """

    team: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> Contact:
        """Check the ``[accessibility]`` section (``None``: not there, no details).

        Raises
        ------
        ContactError
            For an unknown key or a value that is not a team name, an email
            address or a telephone number, saying which and how to fix it.

        Examples
        --------
        >>> Contact.from_config({"email": "not an address"})
        Traceback (most recent call last):
        ...
        listening.explorer.statement.ContactError: [accessibility] email 'not an address' \
is not an email address: write one address, such as research@example.org.
        """
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ContactError(f"[{SECTION}] must be a section with {', '.join(KEYS)}.")
        unknown = sorted(set(section) - set(KEYS))
        if unknown:
            raise ContactError(
                f"[{SECTION}] has unknown keys {', '.join(unknown)}: use {', '.join(KEYS)}."
            )
        values = {key: str(section[key]).strip() for key in KEYS if key in section}
        team, email, phone = (values.get(key) or None for key in KEYS)
        if team is not None and (len(team) > MAX_TEAM or not _TEAM.fullmatch(team)):
            raise ContactError(
                f"[{SECTION}] team {team!r} must be a name of at most {MAX_TEAM} characters "
                f"(letters, digits, spaces and , . ' ( ) & / -)."
            )
        if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
            raise ContactError(
                f"[{SECTION}] email {email!r} is not an email address: write one address, "
                f"such as research@example.org."
            )
        return cls(team, email, None if phone is None else _phone(phone))

    def reach(self) -> str | None:
        """Whom to contact and how, to follow "contact " in the statement (plain text, no
        Markdown); ``None`` if no email address or telephone number was given."""
        ways = [
            f"{how} {value}"
            for how, value in (("email", self.email), ("telephone", self.phone))
            if value
        ]
        if not ways:
            return None
        who = "the team that runs this explorer"
        return f"{self.team + ', ' + who if self.team else who}: {' or '.join(ways)}."


def _phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ContactError(
            f"[{SECTION}] phone {text!r} is not a telephone number: write a UK number "
            f"(01223 555555) or one starting with + and the country code."
        )
    national = phonenumbers.PhoneNumberFormat.NATIONAL
    if number.country_code == 44:
        return phonenumbers.format_number(number, national)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
