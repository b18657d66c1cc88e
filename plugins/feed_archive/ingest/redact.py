"""Redact: a feed's secret out of any text, in every form a server can send it back.

A secret is found as written (letters in any case: host names lose theirs), percent-encoded
(either hex case, `+` for a space, encoded twice), as HTML entities (named, decimal, hex),
backslash-escaped (Markdown), any mix of these character by character, and, for secrets of
`BASE64_MIN` characters or more, inside base64 (standard or URL-safe, at any of the three
alignments, itself possibly percent-encoded). Every match becomes `MARK`.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
import html.entities
import logging
import re
import string
import traceback
from typing import TYPE_CHECKING, Any, Iterable, Iterator, TypeVar
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MARK = "***"
BASE64_MIN = 8
#: How the state file writes a secret it must give back to the server (ETag, Last-Modified).
_PLACEHOLDER = "{{feed-archive-secret:{number}:{form}}}"
_PUNCTUATION = frozenset(string.punctuation)
_Record = TypeVar("_Record", bound="DataclassInstance")


def _entity_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for name, value in html.entities.html5.items():
        if len(value) == 1:
            names.setdefault(value, []).append(name)
    return names


_ENTITIES = _entity_names()


def _hex(number: int, width: int = 0) -> str:
    """A pattern for `number` in hexadecimal, either case."""
    digits = f"{number:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _char(char: str, fold: bool) -> str:
    """A pattern for one character of a secret in any of its written forms."""
    variants = {char, char.lower(), char.upper()} if fold else {char}
    forms = [re.escape(v) for v in sorted(variants) if len(v) == 1]
    if char in _PUNCTUATION:
        forms.append(re.escape("\\" + char))
    if char == " ":
        forms.append(r"\+")
    forms.append("".join(f"%(?:25)?{_hex(byte, 2)}" for byte in char.encode("utf-8")))
    entity = "&(?:amp;)?"
    forms.append(f"{entity}#0*{ord(char)}(?![0-9]);?")
    forms.append(f"{entity}#[xX]0*{_hex(ord(char))}(?![0-9a-fA-F]);?")
    forms += [entity + re.escape(name) for name in _ENTITIES.get(char, ())]
    return "(?:" + "|".join(forms) + ")"


def _spelled(text: str, fold: bool) -> str:
    return "".join(_char(c, fold) for c in text)


def base64_cores(data: bytes) -> set[str]:
    """The base64 characters that depend on `data` alone, at each of the three alignments."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode("ascii")
        end = (offset + len(data)) // 3 * 4 + (offset + len(data)) % 3
        core = encoded[(0, 2, 3)[offset] : end]
        cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


def _forms(secret: str) -> dict[str, str]:
    """The forms the state file can hold with a placeholder, by name (first name wins)."""
    percent = quote(secret, safe="")
    named = {
        "raw": secret,
        "url": percent,
        "url-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), percent),
        "path": quote(secret),
        "plus": quote_plus(secret),
        "plus-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote_plus(secret)),
        "html": html.escape(secret),
    }
    data = secret.encode("utf-8")
    for name, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
        named[name] = encode(data).decode("ascii")
        named[f"{name}-bare"] = named[name].rstrip("=")
    forms: dict[str, str] = {}
    for name, value in named.items():
        if value not in forms.values():
            forms[name] = value
    return forms


class Redactor:
    """Replaces every form of the given secrets by `MARK`; empty secrets are ignored."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(dict.fromkeys(s for s in secrets if s))
        patterns: list[str] = []
        for secret in self.secrets:
            patterns.append(_spelled(secret, fold=True))
            if len(secret) >= BASE64_MIN:
                sent = {secret.encode("utf-8"), quote(secret, safe="").encode("ascii")}
                cores = {core for data in sent for core in base64_cores(data)}
                patterns += [_spelled(core, fold=False) for core in sorted(cores)]
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        """`text` with every form of every secret replaced by `MARK`."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MARK, text)

    def finds(self, text: str) -> bool:
        """True when `text` holds a form of a secret."""
        return self._pattern is not None and self._pattern.search(text) is not None

    def hide(self, value: str | None) -> str | None:
        """A validator for the state file: known forms become placeholders; None when another
        form would remain (the value cannot be stored without the secret, nor given back)."""
        if not value or self._pattern is None:
            return value
        if "{feed-archive-secret:" in value:
            return None
        for number, secret in enumerate(self.secrets):
            by_length = sorted(_forms(secret).items(), key=lambda item: -len(item[1]))
            for form, written in by_length:
                placeholder = _PLACEHOLDER.format(number=number, form=form)
                value = value.replace(written, placeholder)
        return None if self.finds(value) else value

    def reveal(self, value: str | None) -> str | None:
        """A stored validator with its placeholders replaced by the secrets, to send back."""
        if not value or "{feed-archive-secret:" not in value:
            return value
        for number, secret in enumerate(self.secrets):
            for form, written in _forms(secret).items():
                value = value.replace(_PLACEHOLDER.format(number=number, form=form), written)
        return None if "{feed-archive-secret:" in value else value


def _scrubbed(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """The record with its message, traceback and stack redacted (and formatted once)."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep its parts, redacted
        message = f"{record.msg} {record.args}"
    record.msg, record.args = redactor(message), ()
    if record.exc_info and record.exc_info[0] is not None:
        lines = traceback.format_exception(*record.exc_info)
        record.exc_text = redactor("".join(lines).rstrip("\n"))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redactor(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor(record.stack_info)
    return record


@contextlib.contextmanager
def redacted_logs(redactor: Redactor) -> Iterator[None]:
    """While inside, every log record made in the process (any library) is redacted."""
    if not redactor:
        yield
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _scrubbed(previous(*args, **kwargs), redactor)

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)


def redacted_fields(item: _Record, redactor: Redactor, keep: tuple[str, ...] = ()) -> _Record:
    """A dataclass with every text field (and tuple of texts) redacted, but those in `keep`."""
    if not redactor:
        return item
    changes: dict[str, Any] = {}
    for name in (f.name for f in dataclasses.fields(item) if f.name not in keep):
        value = getattr(item, name)
        if isinstance(value, str):
            changed: Any = redactor(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changed = tuple(redactor(v) for v in value)
        else:
            continue
        if changed != value:
            changes[name] = changed
    return dataclasses.replace(item, **changes) if changes else item
