"""Email and domain matching for the rules: lower-cased, exact, and only at dot boundaries."""

from __future__ import annotations


def normalize_email(raw: str | None) -> str | None:
    """The address in a comparable form, or None when there is no usable email.

    Surrounding spaces and a ``mailto:`` prefix (as iCalendar writes it) are dropped and the
    rest is lower-cased. Anything with inner spaces, or without a local part and a domain
    around its last ``@``, is not an email.
    """
    if raw is None:
        return None
    email = raw.strip().lower().removeprefix("mailto:").strip()
    local, at, domain = email.rpartition("@")
    if not (local and at and domain) or len(email.split()) != 1:  # no inner whitespace
        return None
    return email


def domain_of(email: str) -> str:
    """The host after the last ``@`` of a normalized email, without a trailing dot."""
    return email.rpartition("@")[2].rstrip(".")


def in_domain(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains (``sales.acme.com``).

    Matching stops at dot boundaries, so ``notacme.com`` and ``acme.com.evil.net`` are never
    in ``acme.com``.
    """
    return host == domain or host.endswith(f".{domain}")


def matches(email: str, entry: str) -> bool:
    """Whether a normalized email is named by a list entry: an email, or a domain."""
    if "@" in entry:
        return email == entry
    return in_domain(domain_of(email), entry)


def in_any_domain(email: str, domains: tuple[str, ...]) -> bool:
    host = domain_of(email)
    return any(in_domain(host, domain) for domain in domains)
