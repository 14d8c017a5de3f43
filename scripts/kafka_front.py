#!/usr/bin/env python3
"""TEST-ONLY Kafka "security front" (Python 3.11 standard library only).

Sits in front of a plaintext Kafka cluster (noida-db, librdkafka mock cluster, ...)
and offers SSL (mutual TLS), SASL_PLAINTEXT and SASL_SSL listeners. SASL (PLAIN,
SCRAM-SHA-256, SCRAM-SHA-512, and OAUTHBEARER with --oauth-secret-file, see front_oauth.py)
is terminated here; the upstream never sees it.

    kafka_front.py --upstream HOST:PORT[,HOST:PORT...] --certs DIR --users FILE \
                   --listen KIND=PORT [--listen KIND=PORT ...] \
                   [--ready-file PATH] [--log PATH] [--server-cert NAME] [--sasl-v0-only]
                   [--oauth-secret-file PATH]

KIND is ssl | sasl_plaintext | sasl_ssl; PORT 0 picks a free port. When every
listener is up, the ready file is written (atomically) with one line per
listener: KIND=127.0.0.1:PORT. Runs until SIGTERM/SIGINT.

Broker addresses in Metadata / FindCoordinator responses are rewritten to
127.0.0.1:<front port>; for every distinct upstream broker (and listener kind)
the front lazily opens a listener of the same kind that proxies to that broker.
The ApiVersions response is edited: Metadata is capped at v8 and FindCoordinator
at v2 (the last non-flexible versions), DescribeCluster is hidden, and on SASL
listeners SaslHandshake v0-1 / SaslAuthenticate v0-1 are advertised.

This is NOT a security product: it exists only so tests can exercise client
security configuration. Never use it for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import itertools
import logging
import os
import secrets
import signal
import ssl
import struct
import sys
import time

import front_oauth

# --------------------------------------------------------------------------- #
# Protocol constants
# --------------------------------------------------------------------------- #
API_METADATA = 3
API_FIND_COORDINATOR = 10
API_SASL_HANDSHAKE = 17
API_API_VERSIONS = 18
API_SASL_AUTHENTICATE = 36
API_DESCRIBE_CLUSTER = 60

METADATA_MAX_VERSION = 8          # v9+ is flexible
FIND_COORDINATOR_MAX_VERSION = 2  # v3+ is flexible

ERR_UNSUPPORTED_VERSION = 35
ERR_ILLEGAL_SASL_STATE = 34
ERR_UNSUPPORTED_SASL_MECHANISM = 33
ERR_SASL_AUTHENTICATION_FAILED = 58

MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
SCRAM_ITERATIONS = 4096
AUTH_FAILED_MSG = "Authentication failed: invalid credentials"

KINDS = ("ssl", "sasl_plaintext", "sasl_ssl")
LISTEN_HOST = "127.0.0.1"

MAX_PREAUTH_FRAME = 1 << 20       # SASL/ApiVersions frames are tiny
MAX_FRAME = 1 << 30
COPY_CHUNK = 1 << 18

log = logging.getLogger("kafka-front")


class ProtocolError(Exception):
    pass


# --------------------------------------------------------------------------- #
# Minimal Kafka wire codec
# --------------------------------------------------------------------------- #
class Reader:
    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes, pos: int = 0):
        self.buf = buf
        self.pos = pos

    def _take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise ProtocolError("truncated message")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def int8(self) -> int:
        return struct.unpack(">b", self._take(1))[0]

    def int16(self) -> int:
        return struct.unpack(">h", self._take(2))[0]

    def int32(self) -> int:
        return struct.unpack(">i", self._take(4))[0]

    def int64(self) -> int:
        return struct.unpack(">q", self._take(8))[0]

    def uvarint(self) -> int:
        shift = result = 0
        while True:
            b = self._take(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 35:
                raise ProtocolError("varint too long")

    def string(self) -> str | None:  # nullable STRING (int16 length)
        n = self.int16()
        return None if n < 0 else self._take(n).decode("utf-8", "replace")

    def compact_string(self) -> str | None:  # nullable COMPACT_STRING
        n = self.uvarint() - 1
        return None if n < 0 else self._take(n).decode("utf-8", "replace")

    def bytes_(self) -> bytes | None:
        n = self.int32()
        return None if n < 0 else self._take(n)

    def array_len(self, flexible: bool) -> int:
        return (self.uvarint() - 1) if flexible else self.int32()

    def skip_tagged_fields(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()               # tag
            self._take(self.uvarint())   # data


def enc_uvarint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc_string(s: str | None, flexible: bool = False) -> bytes:
    if s is None:
        return enc_uvarint(0) if flexible else struct.pack(">h", -1)
    b = s.encode()
    return (enc_uvarint(len(b) + 1) if flexible else struct.pack(">h", len(b))) + b


def enc_bytes(b: bytes | None) -> bytes:
    if b is None:
        return struct.pack(">i", -1)
    return struct.pack(">i", len(b)) + b


def parse_request_header(frame: bytes):
    """Returns (api_key, api_version, correlation_id, client_id, body_offset).

    Only used for requests the front answers itself (non-flexible, header v1)."""
    r = Reader(frame)
    api_key, api_version, corr = r.int16(), r.int16(), r.int32()
    client_id = r.string()
    return api_key, api_version, corr, client_id, r.pos


# --------------------------------------------------------------------------- #
# Response rewriting
# --------------------------------------------------------------------------- #
def rewrite_api_versions(payload: bytes, version: int, sasl: bool, sasl_auth_max: int = 1) -> bytes:
    """payload = response without the 4-byte size (starts with correlation id).

    ApiVersions responses always use response header v0."""
    r = Reader(payload, 4)
    error = r.int16()
    if error != 0:
        # e.g. UNSUPPORTED_VERSION for v3: the body encoding is then broker specific
        # (v0 for Apache Kafka, odd for the librdkafka mock); the client retries with
        # a lower version whose response we do rewrite.
        return payload
    flexible = version >= 3
    n = r.array_len(flexible)
    entries = []
    for _ in range(max(n, 0)):
        key, vmin, vmax = r.int16(), r.int16(), r.int16()
        tags = b""
        if flexible:
            start = r.pos
            r.skip_tagged_fields()
            tags = payload[start:r.pos]
        entries.append([key, vmin, vmax, tags])
    rest = payload[r.pos:]

    out_entries = []
    for key, vmin, vmax, tags in entries:
        if key == API_DESCRIBE_CLUSTER:
            continue  # would leak upstream broker addresses
        if key in (API_SASL_HANDSHAKE, API_SASL_AUTHENTICATE):
            continue  # replaced below (or hidden on non-SASL listeners)
        if key == API_METADATA:
            vmax = min(vmax, METADATA_MAX_VERSION)
        elif key == API_FIND_COORDINATOR:
            vmax = min(vmax, FIND_COORDINATOR_MAX_VERSION)
        if vmin > vmax:
            continue
        out_entries.append((key, vmin, vmax, tags))
    if sasl:
        empty_tags = b"\x00" if flexible else b""
        if sasl_auth_max >= 0:
            out_entries.append((API_SASL_HANDSHAKE, 0, 1, empty_tags))
            out_entries.append((API_SASL_AUTHENTICATE, 0, sasl_auth_max, empty_tags))
        else:  # legacy: SaslHandshake v0 followed by raw SASL frames
            out_entries.append((API_SASL_HANDSHAKE, 0, 0, empty_tags))
        out_entries.sort(key=lambda e: e[0])

    out = bytearray(payload[:4])
    out += struct.pack(">h", error)
    out += enc_uvarint(len(out_entries) + 1) if flexible else struct.pack(">i", len(out_entries))
    for key, vmin, vmax, tags in out_entries:
        out += struct.pack(">hhh", key, vmin, vmax) + tags
    out += rest
    return bytes(out)


def _host_port_spans(payload: bytes, api_key: int, version: int):
    """Locate (start, end, host, port) of every broker host+port pair in a
    Metadata or FindCoordinator response. Returns (spans, flexible)."""
    r = Reader(payload, 4)
    spans = []
    if api_key == API_METADATA:
        flexible = version >= 9
        if flexible:
            r.skip_tagged_fields()       # response header v1
        if version >= 3:
            r.int32()                    # throttle_time_ms
        n = r.array_len(flexible)
        for _ in range(max(n, 0)):
            r.int32()                    # node_id
            start = r.pos
            host = r.compact_string() if flexible else r.string()
            port = r.int32()
            spans.append((start, r.pos, host, port))
            if version >= 1:
                r.compact_string() if flexible else r.string()  # rack
            if flexible:
                r.skip_tagged_fields()
    elif api_key == API_FIND_COORDINATOR:
        flexible = version >= 3
        if flexible:
            r.skip_tagged_fields()
        if version >= 1:
            r.int32()                    # throttle_time_ms
        if version >= 4:
            for _ in range(max(r.array_len(True), 0)):
                r.compact_string()       # key
                r.int32()                # node_id
                start = r.pos
                host = r.compact_string()
                port = r.int32()
                spans.append((start, r.pos, host, port))
                r.int16()
                r.compact_string()
                r.skip_tagged_fields()
        else:
            r.int16()                    # error_code
            if version >= 1:
                r.compact_string() if flexible else r.string()  # error_message
            r.int32()                    # node_id
            start = r.pos
            host = r.compact_string() if flexible else r.string()
            port = r.int32()
            spans.append((start, r.pos, host, port))
    else:
        raise ValueError(api_key)
    return spans, flexible


# --------------------------------------------------------------------------- #
# SASL
# --------------------------------------------------------------------------- #
class AuthFailed(Exception):
    def __init__(self, user, reason):
        super().__init__(reason)
        self.user = user
        self.reason = reason


class Users:
    def __init__(self, path: str):
        self.passwords: dict[str, str] = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                user, sep, pw = line.partition(":")
                if not sep:
                    raise SystemExit(f"bad users-file line (want user:password): {line!r}")
                self.passwords[user] = pw
        # Per user/mechanism SCRAM credentials, computed lazily, stable for process lifetime.
        self._scram: dict[tuple[str, str], tuple[bytes, bytes, bytes]] = {}
        self._fake_salt = secrets.token_bytes(16)

    def check_plain(self, user: str, password: str) -> bool:
        expected = self.passwords.get(user)
        ok = hmac.compare_digest((expected or "\0invalid").encode(), password.encode())
        return expected is not None and ok

    def scram_credentials(self, user: str, hash_name: str):
        """Returns (salt, stored_key, server_key); for unknown users returns
        deterministic bogus credentials so the exchange fails only at the end."""
        key = (user, hash_name)
        cred = self._scram.get(key)
        if cred is None:
            pw = self.passwords.get(user)
            if pw is None:
                salt = hashlib.sha256(self._fake_salt + user.encode()).digest()[:16]
                pw = secrets.token_hex(16)
            else:
                salt = secrets.token_bytes(16)
            salted = hashlib.pbkdf2_hmac(hash_name, pw.encode(), salt, SCRAM_ITERATIONS)
            client_key = hmac.new(salted, b"Client Key", hash_name).digest()
            stored_key = hashlib.new(hash_name, client_key).digest()
            server_key = hmac.new(salted, b"Server Key", hash_name).digest()
            cred = (salt, stored_key, server_key)
            if user in self.passwords:
                self._scram[key] = cred
        return cred


class PlainServer:
    def __init__(self, users: Users):
        self.users = users
        self.user = None
        self.done = False

    def step(self, token: bytes) -> bytes:
        parts = token.split(b"\0")
        if len(parts) != 3:
            raise AuthFailed(None, "malformed PLAIN message")
        authzid, authcid, passwd = (p.decode("utf-8", "replace") for p in parts)
        self.user = authcid
        if authzid and authzid != authcid:
            raise AuthFailed(authcid, f"authorization id {authzid!r} not allowed")
        if not self.users.check_plain(authcid, passwd):
            raise AuthFailed(authcid, "invalid credentials")
        self.done = True
        return b""


def _scram_unescape(name: str) -> str:
    if "=" in name.replace("=2C", "").replace("=3D", ""):
        raise ValueError("bad escape in SCRAM username")
    return name.replace("=2C", ",").replace("=3D", "=")


class ScramServer:
    """RFC 5802 / RFC 7677 server side (no channel binding)."""

    def __init__(self, users: Users, mechanism: str):
        self.users = users
        self.hash_name = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}[mechanism]
        self.state = 0
        self.user = None
        self.done = False

    def step(self, token: bytes) -> bytes:
        try:
            msg = token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthFailed(self.user, "SCRAM message is not UTF-8") from None
        if self.state == 0:
            return self._client_first(msg)
        if self.state == 1:
            return self._client_final(msg)
        raise AuthFailed(self.user, "unexpected SCRAM message")

    def _client_first(self, msg: str) -> bytes:
        # gs2-header = gs2-cbind-flag "," [ authzid ] ","
        parts = msg.split(",", 2)
        if len(parts) != 3 or parts[0] not in ("n", "y") or parts[0].startswith("p"):
            raise AuthFailed(None, "unsupported SCRAM gs2 header (channel binding?)")
        self.gs2_header = parts[0] + "," + parts[1] + ","
        self.client_first_bare = parts[2]
        attrs = self.client_first_bare.split(",")
        if len(attrs) < 2 or not attrs[0].startswith("n=") or not attrs[1].startswith("r="):
            raise AuthFailed(None, "malformed SCRAM client-first message")
        try:
            self.user = _scram_unescape(attrs[0][2:])
        except ValueError:
            raise AuthFailed(None, "malformed SCRAM username") from None
        authzid = parts[1]
        if authzid and (not authzid.startswith("a=") or _scram_unescape(authzid[2:]) != self.user):
            raise AuthFailed(self.user, "authorization id not allowed")
        client_nonce = attrs[1][2:]
        if not client_nonce:
            raise AuthFailed(self.user, "empty SCRAM client nonce")
        self.nonce = client_nonce + base64.b64encode(secrets.token_bytes(18)).decode()
        self.salt, self.stored_key, self.server_key = self.users.scram_credentials(self.user, self.hash_name)
        self.server_first = f"r={self.nonce},s={base64.b64encode(self.salt).decode()},i={SCRAM_ITERATIONS}"
        self.state = 1
        return self.server_first.encode()

    def _client_final(self, msg: str) -> bytes:
        without_proof, sep, proof_b64 = msg.rpartition(",p=")
        if not sep:
            raise AuthFailed(self.user, "SCRAM client-final message has no proof")
        attrs = without_proof.split(",")
        if len(attrs) < 2 or not attrs[0].startswith("c=") or not attrs[1].startswith("r="):
            raise AuthFailed(self.user, "malformed SCRAM client-final message")
        try:
            cbind = base64.b64decode(attrs[0][2:], validate=True)
            proof = base64.b64decode(proof_b64, validate=True)
        except ValueError:
            raise AuthFailed(self.user, "bad base64 in SCRAM client-final message") from None
        if cbind != self.gs2_header.encode():
            raise AuthFailed(self.user, "SCRAM channel binding mismatch")
        # RFC 5802 says the nonce must equal ours; librdkafka (<= 2.x) sends
        # client-nonce + our full nonce. Apache Kafka only checks endsWith(), so do we.
        if not attrs[1][2:].endswith(self.nonce):
            raise AuthFailed(self.user, "SCRAM nonce mismatch")
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        client_signature = hmac.new(self.stored_key, auth_message, self.hash_name).digest()
        if len(proof) != len(client_signature):
            raise AuthFailed(self.user, "invalid credentials")
        client_key = bytes(a ^ b for a, b in zip(proof, client_signature))
        if not hmac.compare_digest(hashlib.new(self.hash_name, client_key).digest(), self.stored_key):
            raise AuthFailed(self.user, "invalid credentials")
        server_signature = hmac.new(self.server_key, auth_message, self.hash_name).digest()
        self.state = 2
        self.done = True
        return b"v=" + base64.b64encode(server_signature)


# --------------------------------------------------------------------------- #
# TLS over MemoryBIO
# --------------------------------------------------------------------------- #
class TLSStream:
    """Server-side TLS on top of an asyncio stream pair, exposing the subset of the
    StreamReader/StreamWriter API the proxy uses. Unlike StreamWriter.start_tls(),
    a failed handshake still delivers the TLS alert (e.g. "certificate required",
    "unknown ca") to the client before the connection is closed."""

    def __init__(self, reader, writer, ctx: ssl.SSLContext):
        self.raw_reader = reader
        self.raw_writer = writer
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.sslobj = ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.buf = bytearray()
        self.eof = False

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.raw_writer.write(data)

    async def _recv_raw(self) -> bool:
        data = await self.raw_reader.read(COPY_CHUNK)
        if not data:
            self.incoming.write_eof()
            return False
        self.incoming.write(data)
        return True

    async def handshake(self):
        while True:
            try:
                self.sslobj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                await self.raw_writer.drain()
                if not await self._recv_raw():
                    raise ConnectionResetError("client closed the connection during the TLS handshake")
            except ssl.SSLError:
                # Deliver the alert the handshake produced, then give up.
                self._flush()
                try:
                    await asyncio.wait_for(self.raw_writer.drain(), 2)
                except Exception:
                    pass
                raise
        self._flush()
        await self.raw_writer.drain()

    def get_extra_info(self, name, default=None):
        if name == "ssl_object":
            return self.sslobj
        if name == "peercert":
            return self.sslobj.getpeercert()
        return self.raw_writer.get_extra_info(name, default)

    async def _fill(self) -> bool:
        """Decrypt at least one more chunk into self.buf; False on EOF."""
        if self.eof:
            return False
        while True:
            try:
                got = False
                while True:
                    chunk = self.sslobj.read(COPY_CHUNK)
                    if not chunk:
                        break
                    self.buf += chunk
                    got = True
                if got:
                    return True
                self.eof = True
                return False
            except ssl.SSLWantReadError:
                if got:
                    return True
                if self.incoming.eof:
                    self.eof = True
                    return False
                self._flush()  # e.g. post-handshake messages
                if not await self._recv_raw():
                    continue   # let sslobj report the (possibly unclean) EOF
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self.eof = True
                return bool(self.buf)

    async def readexactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not await self._fill():
                partial = bytes(self.buf)
                self.buf.clear()
                raise asyncio.IncompleteReadError(partial, n)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    async def read(self, n: int) -> bytes:
        if not self.buf and not await self._fill():
            return b""
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def write(self, data: bytes):
        self.sslobj.write(data)
        self._flush()

    async def drain(self):
        await self.raw_writer.drain()

    def close(self):
        try:
            self.sslobj.unwrap()  # queue close_notify
        except ssl.SSLError:
            pass
        try:
            self._flush()
        except Exception:
            pass
        self.raw_writer.close()


# --------------------------------------------------------------------------- #
# The front
# --------------------------------------------------------------------------- #
def norm_addr(host: str, port: int) -> tuple[str, int]:
    h = (host or "").lower().rstrip(".")
    if h in ("localhost", "localhost.localdomain", "::1", "[::1]"):
        h = "127.0.0.1"
    return h, port


def parse_hostport(s: str) -> tuple[str, int]:
    host, sep, port = s.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {s!r}")
    return host.strip("[]"), int(port)


class Front:
    def __init__(self, args):
        self.args = args
        self.users = Users(args.users)
        self.bootstrap = [parse_hostport(x) for x in args.upstream.split(",") if x]
        self.sasl_v0_only = args.sasl_v0_only
        self.oauth_secret = None
        self.mechanisms = MECHANISMS
        if args.oauth_secret_file:
            with open(args.oauth_secret_file, "rb") as f:
                self.oauth_secret = f.read().strip()
            self.mechanisms = MECHANISMS + ("OAUTHBEARER",)
        self.ssl_ctx = {}
        self.routes: dict[tuple[str, tuple[str, int]], int] = {}
        self.route_lock = asyncio.Lock()
        self.servers: list[asyncio.AbstractServer] = []
        self.conn_tasks: set[asyncio.Task] = set()
        self.conn_ids = itertools.count(1)
        self.bootstrap_ports: list[tuple[str, int]] = []

    # ---- TLS ----
    def tls_context(self, kind: str) -> ssl.SSLContext | None:
        if kind == "sasl_plaintext":
            return None
        if kind not in self.ssl_ctx:
            d = self.args.certs
            name = self.args.server_cert
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
            if kind == "ssl":
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(os.path.join(d, "ca.pem"))
                if self.args.tls_max == "1.2":
                    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            else:
                ctx.verify_mode = ssl.CERT_NONE
            self.ssl_ctx[kind] = ctx
        return self.ssl_ctx[kind]

    # ---- listeners ----
    async def open_listener(self, kind: str, port: int, targets: list[tuple[str, int]], bootstrap: bool) -> int:
        async def handler(reader, writer):
            task = asyncio.current_task()
            self.conn_tasks.add(task)
            task.add_done_callback(self.conn_tasks.discard)
            await self.handle_conn(kind, targets, reader, writer)

        server = await asyncio.start_server(handler, LISTEN_HOST, port, reuse_address=True,
                                            limit=COPY_CHUNK * 2, backlog=512)
        self.servers.append(server)
        real_port = server.sockets[0].getsockname()[1]
        log.info("listening %s on %s:%d -> %s%s", kind, LISTEN_HOST, real_port,
                 ",".join(f"{h}:{p}" for h, p in targets), " (bootstrap)" if bootstrap else "")
        return real_port

    async def route_port(self, kind: str, host: str, port: int) -> int:
        key = (kind, norm_addr(host, port))
        p = self.routes.get(key)
        if p is not None:
            return p
        async with self.route_lock:
            p = self.routes.get(key)
            if p is None:
                p = await self.open_listener(kind, 0, [(host, port)], bootstrap=False)
                self.routes[key] = p
            return p

    async def start(self):
        for kind, port in self.args.listen:
            self.tls_context(kind)  # fail fast on bad certs
            real = await self.open_listener(kind, port, self.bootstrap, bootstrap=True)
            self.bootstrap_ports.append((kind, real))
            if len(self.bootstrap) == 1:
                # The bootstrap listener *is* that broker's listener. With several
                # upstream addresses it connects to whichever answers first, so every
                # advertised broker then gets its own listener instead.
                h, p = self.bootstrap[0]
                self.routes.setdefault((kind, norm_addr(h, p)), real)

    async def close(self):
        for s in self.servers:
            s.close()
        for t in list(self.conn_tasks):
            t.cancel()
        if self.conn_tasks:
            await asyncio.wait(list(self.conn_tasks), timeout=2)

    # ---- rewriting ----
    async def rewrite_addresses(self, kind: str, payload: bytes, api_key: int, version: int) -> bytes:
        spans, flexible = _host_port_spans(payload, api_key, version)
        if not spans:
            return payload
        out = bytearray()
        last = 0
        for start, end, host, port in spans:
            out += payload[last:start]
            if host and port > 0:
                new_port = await self.route_port(kind, host, port)
                out += enc_string(LISTEN_HOST, flexible) + struct.pack(">i", new_port)
            else:
                out += payload[start:end]
            last = end
        out += payload[last:]
        return bytes(out)

    # ---- connections ----
    async def handle_conn(self, kind, targets, creader, cwriter):
        cid = next(self.conn_ids)
        peer = cwriter.get_extra_info("peername")
        peer_s = f"{peer[0]}:{peer[1]}" if peer else "?"
        tag = f"conn#{cid} {kind} {peer_s}"
        uwriter = None
        try:
            ctx = self.tls_context(kind)
            if ctx is not None:
                tls = TLSStream(creader, cwriter, ctx)
                try:
                    await asyncio.wait_for(tls.handshake(), 10)
                except (ssl.SSLError, OSError, asyncio.TimeoutError, ConnectionError) as e:
                    log.warning("%s TLS handshake failed: %s", tag, e or type(e).__name__)
                    return
                creader = cwriter = tls
                sslobj = cwriter.get_extra_info("ssl_object")
                cert = cwriter.get_extra_info("peercert")
                subj = ""
                if cert:
                    subj = " client-cert=" + ",".join(f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn)
                log.info("%s TLS established %s %s%s", tag, sslobj.version() if sslobj else "?",
                         (sslobj.cipher() or ("?",))[0] if sslobj else "", subj)
            ureader, uwriter, target = await self.connect_upstream(targets)
            if ureader is None:
                log.warning("%s cannot connect to any upstream of %s", tag, targets)
                return
            log.info("%s connected -> upstream %s:%d", tag, *target)
            state = {"corr": {}}
            if kind != "ssl":
                ok = await self.sasl_phase(tag, kind, creader, cwriter, ureader, uwriter, state)
                if not ok:
                    return
            expires_at = state.get("expires_at")
            if expires_at is None:
                await self.proxy(tag, kind, creader, cwriter, ureader, uwriter, state)
            else:
                # Token expiry is enforced: the connection ends when its token does.
                try:
                    await asyncio.wait_for(self.proxy(tag, kind, creader, cwriter, ureader, uwriter, state),
                                           max(0.0, expires_at - time.time()))
                except asyncio.TimeoutError:
                    log.info("%s token expired; closing the connection", tag)
        except asyncio.CancelledError:
            pass
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            log.info("%s connection lost: %r", tag, e)
        except Exception as e:  # never let one connection kill the front
            log.warning("%s error: %r", tag, e)
        finally:
            for w in (cwriter, uwriter):
                if w is not None:
                    try:
                        w.close()
                    except Exception:
                        pass
            log.info("%s closed", tag)

    async def connect_upstream(self, targets):
        for host, port in targets:
            try:
                r, w = await asyncio.wait_for(asyncio.open_connection(host, port, limit=COPY_CHUNK * 2), 10)
                return r, w, (host, port)
            except (OSError, asyncio.TimeoutError):
                continue
        return None, None, None

    async def sasl_phase(self, tag, kind, creader, cwriter, ureader, uwriter, state) -> bool:
        """Handles ApiVersions / SaslHandshake / SaslAuthenticate until the client is
        authenticated. Strictly request/response, so ordering is preserved."""
        mech_server = None
        mech = None
        raw_mode = False
        while True:
            try:
                frame = await read_frame(creader, MAX_PREAUTH_FRAME)
            except asyncio.IncompleteReadError:
                log.info("%s client closed before authenticating", tag)
                return False
            if raw_mode:  # SaslHandshake v0: bare SASL tokens, no Kafka header
                try:
                    reply = mech_server.step(frame)
                except AuthFailed as e:
                    log.warning("%s auth FAILED mechanism=%s user=%r: %s (raw SASL)", tag,
                                mech, e.user, e.reason)
                    return False
                cwriter.write(struct.pack(">i", len(reply)) + reply)
                await cwriter.drain()
                if mech_server.done:
                    log.info("%s auth OK mechanism=%s user=%r (SaslHandshake v0)", tag,
                             mech, mech_server.user)
                    state["expires_at"] = getattr(mech_server, "expires_at", None)
                    return True
                continue

            if len(frame) < 8:
                raise ProtocolError("short request")
            api_key, version, corr = struct.unpack_from(">hhi", frame)
            log.debug("%s pre-auth request api_key=%d v%d corr=%d", tag, api_key, version, corr)
            if api_key == API_API_VERSIONS:
                uwriter.write(struct.pack(">i", len(frame)) + frame)
                await uwriter.drain()
                resp = await read_frame(ureader, MAX_FRAME)
                resp = self.rewrite_response(resp, api_key, version, kind, tag)
                cwriter.write(struct.pack(">i", len(resp)) + resp)
                await cwriter.drain()
            elif api_key == API_SASL_HANDSHAKE:
                _, _, _, _, off = parse_request_header(frame)
                requested = Reader(frame, off).string() or ""
                if version > 1:
                    log.warning("%s unsupported SaslHandshake v%d", tag, version)
                    return False
                if requested in self.mechanisms:
                    err = 0
                    mech = requested
                    if mech == "PLAIN":
                        mech_server = PlainServer(self.users)
                    elif mech == "OAUTHBEARER":
                        mech_server = front_oauth.OAuthBearerServer(self.users, self.oauth_secret, AuthFailed)
                    else:
                        mech_server = ScramServer(self.users, mech)
                else:
                    err = ERR_UNSUPPORTED_SASL_MECHANISM
                    log.warning("%s unsupported SASL mechanism %r", tag, requested)
                body = struct.pack(">ih", corr, err) + struct.pack(">i", len(self.mechanisms))
                body += b"".join(enc_string(m) for m in self.mechanisms)
                cwriter.write(struct.pack(">i", len(body)) + body)
                await cwriter.drain()
                if err:
                    continue
                if version == 0:
                    raw_mode = True
            elif api_key == API_SASL_AUTHENTICATE:
                if version > 1:
                    log.warning("%s unsupported SaslAuthenticate v%d", tag, version)
                    return False
                _, _, _, _, off = parse_request_header(frame)
                token = Reader(frame, off).bytes_() or b""
                if mech_server is None:
                    self._write_sasl_auth(cwriter, corr, version, ERR_ILLEGAL_SASL_STATE,
                                          "SaslAuthenticate before SaslHandshake", b"")
                    await cwriter.drain()
                    log.warning("%s SaslAuthenticate without SaslHandshake", tag)
                    return False
                try:
                    reply = mech_server.step(token)
                except AuthFailed as e:
                    # A broker answers a refused OAUTHBEARER token with its JSON error challenge.
                    message = AUTH_FAILED_MSG
                    if mech == "OAUTHBEARER":
                        message = mech_server.error_challenge.decode()
                    self._write_sasl_auth(cwriter, corr, version, ERR_SASL_AUTHENTICATION_FAILED,
                                          message, b"")
                    await cwriter.drain()
                    log.warning("%s auth FAILED mechanism=%s user=%r: %s", tag, mech,
                                e.user, e.reason)
                    return False
                self._write_sasl_auth(cwriter, corr, version, 0, None, reply)
                await cwriter.drain()
                if mech_server.done:
                    log.info("%s auth OK mechanism=%s user=%r", tag, mech, mech_server.user)
                    state["expires_at"] = getattr(mech_server, "expires_at", None)
                    return True
            else:
                log.warning("%s unexpected request api_key=%d v%d before SASL authentication; closing",
                            tag, api_key, version)
                return False

    @staticmethod
    def _write_sasl_auth(w, corr, version, err, msg, auth_bytes):
        body = struct.pack(">ih", corr, err) + enc_string(msg) + enc_bytes(auth_bytes)
        if version >= 1:
            body += struct.pack(">q", 0)  # session_lifetime_ms: no re-authentication
        w.write(struct.pack(">i", len(body)) + body)

    def rewrite_response(self, payload, api_key, version, kind, tag):
        if api_key == API_API_VERSIONS:
            sasl = kind != "ssl"
            try:
                return rewrite_api_versions(payload, version, sasl, -1 if self.sasl_v0_only else 1)
            except ProtocolError as e:
                log.warning("%s cannot parse ApiVersions v%d response (%s); forwarding as-is", tag, version, e)
        return payload

    async def proxy(self, tag, kind, creader, cwriter, ureader, uwriter, state):
        corr_map: dict[int, tuple[int, int]] = state["corr"]
        interesting = (API_API_VERSIONS, API_METADATA, API_FIND_COORDINATOR)
        debug = log.isEnabledFor(logging.DEBUG)

        async def client_to_upstream():
            while True:
                try:
                    head = await creader.readexactly(12)
                except asyncio.IncompleteReadError as e:
                    if e.partial:
                        log.info("%s client sent a truncated frame", tag)
                    return
                size = struct.unpack_from(">i", head)[0]
                if size < 8 or size > MAX_FRAME:
                    raise ProtocolError(f"bad request frame size {size}")
                api_key, version, corr = struct.unpack_from(">hhi", head, 4)
                if debug:
                    log.debug("%s request api_key=%d v%d corr=%d size=%d", tag, api_key, version, corr, size)
                if api_key in interesting:
                    corr_map[corr] = (api_key, version)
                uwriter.write(head)
                await copy_bytes(creader, uwriter, size - 8)

        async def upstream_to_client():
            while True:
                try:
                    head = await ureader.readexactly(8)
                except asyncio.IncompleteReadError:
                    return
                size, corr = struct.unpack(">ii", head)
                if size < 4 or size > MAX_FRAME:
                    raise ProtocolError(f"bad response frame size {size}")
                entry = corr_map.pop(corr, None) if corr_map else None
                if entry is None:
                    cwriter.write(head)
                    await copy_bytes(ureader, cwriter, size - 4)
                    continue
                api_key, version = entry
                payload = head[4:] + await ureader.readexactly(size - 4)
                if api_key == API_API_VERSIONS:
                    payload = self.rewrite_response(payload, api_key, version, kind, tag)
                else:
                    try:
                        payload = await self.rewrite_addresses(kind, payload, api_key, version)
                    except ProtocolError as e:
                        log.warning("%s cannot parse api_key=%d v%d response (%s); forwarding as-is",
                                    tag, api_key, version, e)
                cwriter.write(struct.pack(">i", len(payload)) + payload)
                await cwriter.drain()

        t1 = asyncio.create_task(client_to_upstream())
        t2 = asyncio.create_task(upstream_to_client())
        try:
            done, _ = await asyncio.wait({t1, t2}, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                if t.exception() is not None and not isinstance(t.exception(), (ConnectionError, OSError)):
                    log.warning("%s %s: %r", tag, "client->upstream" if t is t1 else "upstream->client",
                                t.exception())
            who = "client" if t1 in done else "upstream"
            log.info("%s %s closed the connection", tag, who)
            # Flush whatever the finished direction already wrote before closing.
            w = uwriter if t1 in done else cwriter
            try:
                await asyncio.wait_for(w.drain(), 5)
            except Exception:
                pass
        finally:
            for t in (t1, t2):
                t.cancel()
            await asyncio.gather(t1, t2, return_exceptions=True)


async def read_frame(reader: asyncio.StreamReader, max_size: int) -> bytes:
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    if size < 0 or size > max_size:
        raise ProtocolError(f"bad frame size {size}")
    return await reader.readexactly(size)


async def copy_bytes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    while n > 0:
        chunk = await reader.read(min(n, COPY_CHUNK))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", n)
        writer.write(chunk)
        n -= len(chunk)
        # drain() only blocks when the transport buffer is above its high-water mark.
        await writer.drain()
    await writer.drain()


# --------------------------------------------------------------------------- #
def parse_listen(s: str):
    kind, sep, port = s.partition("=")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise argparse.ArgumentTypeError(f"--listen wants KIND=PORT with KIND in {KINDS}, got {s!r}")
    return kind, int(port)


async def amain(args) -> int:
    front = Front(args)
    await front.start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            for kind, port in front.bootstrap_ports:
                f.write(f"{kind}={LISTEN_HOST}:{port}\n")
        os.replace(tmp, args.ready_file)
    log.info("ready: %s", " ".join(f"{k}={LISTEN_HOST}:{p}" for k, p in front.bootstrap_ports))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await front.close()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description="TEST-ONLY Kafka TLS/SASL front (proxy)")
    ap.add_argument("--upstream", required=True, help="HOST:PORT[,HOST:PORT...] of the plaintext cluster")
    ap.add_argument("--certs", required=True, help="directory made by scripts/gen-certs.sh")
    ap.add_argument("--users", required=True, help="file with one user:password per line")
    ap.add_argument("--listen", required=True, action="append", type=parse_listen, metavar="KIND=PORT")
    ap.add_argument("--ready-file")
    ap.add_argument("--log", help="log file (default: stderr)")
    ap.add_argument("--server-cert", default="server",
                    help="basename of the server cert/key in --certs (e.g. expired-server)")
    ap.add_argument("--tls-max", choices=("1.2", "1.3"), default="1.3",
                    help="max TLS version of the mutual-TLS (ssl) listener")
    ap.add_argument("--sasl-v0-only", action="store_true",
                    help="do not advertise SaslAuthenticate (forces SaslHandshake v0 raw SASL frames)")
    ap.add_argument("--oauth-secret-file",
                    help="enables OAUTHBEARER: HS256 secret of the tokens to accept (see front_oauth.py)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    handler = logging.FileHandler(args.log) if args.log else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    log.propagate = False
    try:
        return asyncio.run(amain(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
