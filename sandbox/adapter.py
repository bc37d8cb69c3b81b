"""A `requests` transport adapter that answers from the sandbox's WSGI app, in-process.

Mount it on a session (`session.mount("http://sandbox.test", WSGIAdapter(app))`) and point a
connector's base URL at `http://sandbox.test/<vendor>`: requests never leave the process, yet
go through the same code as over HTTP. This module needs `requests` (a dependency of ccpulse,
not of the rest of the sandbox), so `sandbox/__init__.py` does not import it.
"""

from __future__ import annotations

import io
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


class WSGIAdapter(BaseAdapter):
    """Serve `requests` calls from a WSGI application without a socket."""

    def __init__(self, app: WSGIApp) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        environ = _environ(request)
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, start_response))
        response = requests.Response()
        response.status_code = int(captured["status"].split()[0])
        response.reason = captured["status"].partition(" ")[2]
        response.headers = CaseInsensitiveDict(dict(captured["headers"]))
        response.raw = io.BytesIO(body)
        response._content = body
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""


def _environ(request: requests.PreparedRequest) -> dict[str, Any]:
    url = urllib.parse.urlsplit(request.url or "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes):
        raise TypeError("streamed request bodies are not supported by the in-process adapter")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method or "GET",
        "PATH_INFO": urllib.parse.unquote(url.path) or "/",
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "sandbox.test",
        "SERVER_PORT": str(url.port or 80),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": url.scheme or "http",
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + key] = value
    return environ
