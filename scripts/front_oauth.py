#!/usr/bin/env python3
"""TEST-ONLY SASL OAUTHBEARER for kafka_front.py, and the token issuer the tests use.

Tokens are JWTs signed with HS256 under a shared secret (the file given to the front with
--oauth-secret-file). The front accepts a token when its signature checks, `exp` has not
passed, `sub` names a user in the front's users file, and `scope` (if present) contains
"kafka". After authenticating, a connection lives until the token's `exp`: the front then
closes it, as a broker enforcing token expiry would (it does not offer KIP-368
re-authentication, so the client reconnects with its current token).

Client side per RFC 7628 (what librdkafka sends):
    client-first = "n,," [ "a=" authzid ] "," %x01 "auth=Bearer " token %x01 *(key "=" value %x01) %x01
On a bad token the server answers with a JSON error challenge; the client replies %x01 and the
exchange then fails with SASL_AUTHENTICATION_FAILED.

    front_oauth.py mint --secret-file F --sub NAME --lifetime SECONDS [--scope S] [--exp-offset S]
prints a token (the test's identity provider).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint(secret: bytes, sub: str, lifetime: float, scope: str | None = "kafka") -> str:
    now = time.time()
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"sub": sub, "iat": int(now), "exp": now + lifetime}
    if scope is not None:
        claims["scope"] = scope
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


class TokenRefused(Exception):
    pass


def validate(secret: bytes, token: str, users) -> tuple[str, float]:
    """Returns (principal, exp) or raises TokenRefused with the reason."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRefused("malformed token: not a JWT (want header.claims.signature)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise TokenRefused("malformed token: bad base64url or JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise TokenRefused("token algorithm is not HS256")
    expected = hmac.new(secret, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise TokenRefused("token signature does not verify")
    if not isinstance(claims, dict):
        raise TokenRefused("malformed token: claims are not an object")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)):
        raise TokenRefused("token has no exp claim")
    if exp <= time.time():
        raise TokenRefused(f"token expired {time.time() - exp:.1f} s ago")
    sub = claims.get("sub")
    if not isinstance(sub, str) or sub not in users.passwords:
        raise TokenRefused(f"principal {sub!r} is not allowed")
    scope = claims.get("scope")
    if scope is not None and "kafka" not in str(scope).split():
        raise TokenRefused(f"scope {scope!r} lacks 'kafka'")
    return sub, float(exp)


class OAuthBearerServer:
    """One SASL OAUTHBEARER exchange (same interface as the front's PLAIN/SCRAM servers)."""

    def __init__(self, users, secret: bytes, auth_failed):
        self.users = users
        self.secret = secret
        self.auth_failed = auth_failed  # the front's AuthFailed(user, reason)
        self.user = None
        self.done = False
        self.expires_at: float | None = None
        self.extensions: dict[str, str] = {}
        self._refused: str | None = None

    def step(self, message: bytes) -> bytes:
        if self._refused is not None:
            # The client acknowledges the error challenge with a lone %x01.
            raise self.auth_failed(self.user, self._refused)
        try:
            text = message.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse("client message is not UTF-8")
        gs2, sep, rest = text.partition("\x01")
        if not sep or not gs2.startswith("n,") or not rest.endswith("\x01\x01"):
            return self._refuse("malformed client first message (RFC 7628)")
        pairs = rest[:-2].split("\x01")
        values = {}
        for pair in pairs:
            key, eq, value = pair.partition("=")
            if not eq:
                return self._refuse("malformed key=value in client first message")
            values[key] = value
        auth = values.pop("auth", "")
        if not auth.startswith("Bearer "):
            return self._refuse("no 'auth=Bearer <token>' in client first message")
        self.extensions = values
        try:
            self.user, self.expires_at = validate(self.secret, auth[len("Bearer "):], self.users)
        except TokenRefused as e:
            return self._refuse(str(e))
        self.done = True
        return b""

    error_challenge = json.dumps({"status": "invalid_token", "scope": "kafka"}).encode()

    def _refuse(self, reason: str) -> bytes:
        self._refused = reason
        return self.error_challenge


def main() -> int:
    ap = argparse.ArgumentParser(description="TEST-ONLY OAUTHBEARER token issuer for kafka_front.py")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("mint", help="print a signed token")
    m.add_argument("--secret-file", required=True)
    m.add_argument("--sub", required=True)
    m.add_argument("--lifetime", type=float, required=True, help="seconds from now until exp (may be negative)")
    m.add_argument("--scope", default="kafka")
    args = ap.parse_args()
    with open(args.secret_file, "rb") as f:
        secret = f.read().strip()
    print(mint(secret, args.sub, args.lifetime, args.scope or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
