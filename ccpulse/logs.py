"""Logging set-up for the command line, with secrets masked in every line.

Modules log through `logging.getLogger(__name__)`; only the command line configures handlers. The
mask filter replaces the password of the warehouse URL, and any `user:password@` userinfo, with
`***`, so that neither ccpulse nor a library it calls can print them.
"""

from __future__ import annotations

import logging
import re
import sys

__all__ = ["SecretMaskFilter", "configure_logging"]

_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<secret>[^@\s]+)@")


_QUIET_LIBRARIES = ("urllib3", "clickhouse_connect")


class SecretMaskFilter(logging.Filter):
    """Rewrites each record's message with known secrets and URL passwords masked."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._secrets = [secret for secret in (secrets or []) if secret]

    def add_secret(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets.append(secret)

    def mask(self, text: str) -> str:
        text = _USERINFO.sub(r"\g<scheme>\g<user>:***@", text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(verbosity: int = 0, secrets: list[str] | None = None) -> SecretMaskFilter:
    """Log to stderr: WARNING by default, INFO with `-v`, DEBUG with `-vv`."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    mask = SecretMaskFilter(secrets)
    handler.addFilter(mask)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Their warnings (a retried connection, say) repeat what ccpulse's one-line error says better.
    for library in _QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(logging.ERROR if verbosity == 0 else level)
    return mask
