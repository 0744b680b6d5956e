"""The exceptions `listening` raises.

Every error derives from :class:`ListeningError`. A message says what is
wrong, where (file, row, column, value) and how to fix it.

Examples
--------
>>> from listening.errors import ListeningError, MarginsError
>>> issubclass(MarginsError, ListeningError)
True
"""

from __future__ import annotations


class ListeningError(Exception):
    """Base class of every error raised by `listening`.

    Examples
    --------
    >>> try:
    ...     raise ListeningError("what went wrong; how to fix it")
    ... except ListeningError as err:
    ...     print(err)
    what went wrong; how to fix it
    """


class CodebookError(ListeningError):
    """The codebook is missing, unreadable or malformed.

    Examples
    --------
    >>> issubclass(CodebookError, ListeningError)
    True
    """


class IngestError(ListeningError):
    """A survey file cannot be read at all (missing, wrong format, no id column...).

    Examples
    --------
    >>> issubclass(IngestError, ListeningError)
    True
    """


class DesignError(ListeningError):
    """A survey design cannot be built or used as asked (bad column, lonely PSU...).

    Examples
    --------
    >>> issubclass(DesignError, ListeningError)
    True
    """


class MarginsError(ListeningError):
    """Population margins do not fit the data (missing categories, bad totals...).

    Examples
    --------
    >>> issubclass(MarginsError, ListeningError)
    True
    """


class ConvergenceError(ListeningError):
    """Raking did not converge within ``max_iter`` sweeps.

    Examples
    --------
    >>> issubclass(ConvergenceError, ListeningError)
    True
    """


class AccessError(ListeningError):
    """The hosted explorer's sign-in or allow-list configuration is unusable.

    Examples
    --------
    >>> issubclass(AccessError, ListeningError)
    True
    """


class ReviewError(ListeningError):
    """A quote review or approvals file is unusable (missing columns, unknown decisions).

    Examples
    --------
    >>> issubclass(ReviewError, ListeningError)
    True
    """
