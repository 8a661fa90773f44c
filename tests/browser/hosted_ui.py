"""A stand-in for Cognito's hosted UI on 127.0.0.1: the OAuth 2.0 authorization code flow with PKCE
as a page's script runs it (authorize redirect, then a cross-origin token request).

It checks what Cognito checks (the client id, the redirect URI, the S256 code challenge against the
verifier, one use per code; the `state` round trip is the page's own check) and answers the token
request with the id token `issue` returns (a local-stack token, which the local API accepts).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class HostedUi:
    url: str
    client_id: str
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    exchanged: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@contextmanager
def running(client_id: str, issue: Callable[[], str]) -> Iterator[HostedUi]:
    state = HostedUi(url="", client_id=client_id)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path != "/oauth2/authorize" or query.get("client_id") != client_id:
                self._send(400, {"error": "invalid_request"})
                return
            if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
                self._send(400, {"error": "unsupported_response_type"})
                return
            code = secrets.token_urlsafe(16)
            state.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"]}
            location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            grant = state.codes.pop(form.get("code", ""), None)
            if urlsplit(self.path).path != "/oauth2/token" or grant is None:
                state.refusals.append("unknown or reused code")
                self._send(400, {"error": "invalid_grant"})
                return
            if form.get("client_id") != client_id or form.get("redirect_uri") != grant["redirect_uri"]:
                state.refusals.append("client or redirect differs")
                self._send(400, {"error": "invalid_client"})
                return
            if _challenge(form.get("code_verifier", "")) != grant["challenge"]:
                state.refusals.append("PKCE verifier does not match the challenge")
                self._send(400, {"error": "invalid_grant"})
                return
            state.exchanged.append(form["code"])
            self._send(200, {"id_token": issue(), "access_token": "unused", "token_type": "Bearer"})

        def _send(self, status: int, body: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            # Cognito's token endpoint answers browsers of any origin.
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="hosted-ui", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
