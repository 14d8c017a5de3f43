#!/usr/bin/env python3
"""A Schema Registry for the tests: the subset of Confluent's REST API the SDK uses.

  schema_registry.py --port 0 --ready FILE [--user NAME:SECRET ...]
                     [--tls-cert PEM --tls-key PEM --tls-ready FILE]

With --tls-cert, the same registry is also served over HTTPS on a second port (written to
--tls-ready), for clients that trust a private CA.

Serves /subjects, /subjects/S/versions[/V|latest], POST /subjects/S (lookup),
/schemas/ids/N, /compatibility/subjects/S/versions/latest, /config[/S], with Confluent's
error codes (40401 subject not found, 40402 version not found, 40403 schema not found,
409 incompatible, 42201 invalid schema). With --user, requests need HTTP basic auth.
Schemas are kept in memory; the same schema text under any subject has one id. Avro
compatibility follows Avro's schema resolution (BACKWARD: the new schema reads data written
with the old; FORWARD: the other way; FULL: both; *_TRANSITIVE: against every version).
"""
import argparse
import base64
import json
import os
import ssl
import sys
import threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, unquote, parse_qs

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
PROMOTIONS = {("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"),
              ("long", "double"), ("float", "double"), ("string", "bytes"), ("bytes", "string")}


class InvalidSchema(Exception):
    pass


def canonical(text):
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def resolve_names(schema, names, namespace=None):
    """Replaces named-type references with their definitions (enough for compatibility)."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        full = schema if "." in schema or not namespace else namespace + "." + schema
        if full in names:
            return names[full]
        if schema in names:
            return names[schema]
        raise InvalidSchema("unknown type %r" % schema)
    if isinstance(schema, list):
        return [resolve_names(s, names, namespace) for s in schema]
    if not isinstance(schema, dict) or "type" not in schema:
        raise InvalidSchema("not a schema: %r" % (schema,))
    kind = schema["type"]
    if kind in ("record", "error", "enum", "fixed"):
        name = schema.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidSchema("a %s needs a name" % kind)
        ns = schema.get("namespace", namespace)
        full = name if "." in name or not ns else ns + "." + name
        node = dict(schema, fullname=full)
        names[full] = node
        if kind in ("record", "error"):
            if not isinstance(schema.get("fields"), list):
                raise InvalidSchema("record %s needs fields" % full)
            node["fields"] = [dict(f, type=resolve_names(f["type"], names, full.rpartition(".")[0] or None))
                              for f in schema["fields"]]
        elif kind == "enum" and not isinstance(schema.get("symbols"), list):
            raise InvalidSchema("enum %s needs symbols" % full)
        elif kind == "fixed" and not isinstance(schema.get("size"), int):
            raise InvalidSchema("fixed %s needs a size" % full)
        return node
    if kind == "array":
        return dict(schema, items=resolve_names(schema["items"], names, namespace))
    if kind == "map":
        return dict(schema, values=resolve_names(schema["values"], names, namespace))
    if isinstance(kind, (dict, list)):
        return resolve_names(kind, names, namespace)
    if kind in PRIMITIVES:
        return kind
    return resolve_names(kind, names, namespace)


def parse_avro(text):
    try:
        return resolve_names(json.loads(text), {})
    except (ValueError, KeyError, TypeError) as e:
        raise InvalidSchema(str(e))


def kind_of(s):
    if isinstance(s, list):
        return "union"
    if isinstance(s, str):
        return s
    return s["type"]


def can_read(reader, writer, seen=None):
    """Avro schema resolution: can data written as `writer` be read as `reader`?"""
    seen = seen if seen is not None else set()
    rk, wk = kind_of(reader), kind_of(writer)
    if wk == "union":
        return all(can_read(reader, w, seen) for w in writer)
    if rk == "union":
        return any(can_read(r, writer, seen) for r in reader)
    if rk == wk and rk in PRIMITIVES:
        return True
    if (wk, rk) in PROMOTIONS:
        return True
    if rk != wk:
        return False
    if rk == "array":
        return can_read(reader["items"], writer["items"], seen)
    if rk == "map":
        return can_read(reader["values"], writer["values"], seen)
    if reader.get("fullname", "").rpartition(".")[2] != writer.get("fullname", "").rpartition(".")[2]:
        return False
    if rk == "fixed":
        return reader["size"] == writer["size"]
    if rk == "enum":
        return "default" in reader or set(writer["symbols"]) <= set(reader["symbols"])
    key = (id(reader), id(writer))
    if key in seen:
        return True
    seen.add(key)
    written = {f["name"]: f for f in writer["fields"]}
    for field in reader["fields"]:
        match = written.get(field["name"]) or next((written[a] for a in field.get("aliases", []) if a in written), None)
        if match is None:
            if "default" not in field:
                return False
        elif not can_read(field["type"], match["type"], seen):
            return False
    return True


class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.schemas = []            # id - 1 -> (type, text)
        self.ids_by_key = {}         # (type, canonical) -> id
        self.subjects = {}           # subject -> list of {"version", "id", "deleted"}
        self.config = {None: "BACKWARD"}

    def versions(self, subject):
        return [v for v in self.subjects.get(subject, []) if not v["deleted"]]

    def compatible(self, subject, kind, text):
        level = self.config.get(subject) or self.config[None]
        if level == "NONE" or kind != "AVRO":
            return True, []
        existing = self.versions(subject)
        if not existing:
            return True, []
        against = existing if level.endswith("_TRANSITIVE") else existing[-1:]
        new = parse_avro(text)
        messages = []
        for version in against:
            old = parse_avro(self.schemas[version["id"] - 1][1])
            if level.startswith(("BACKWARD", "FULL")) and not can_read(new, old):
                messages.append("the new schema cannot read data written with version %d" % version["version"])
            if level.startswith(("FORWARD", "FULL")) and not can_read(old, new):
                messages.append("version %d cannot read data written with the new schema" % version["version"])
        return not messages, messages


class Handler(BaseHTTPRequestHandler):
    registry = None
    users = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("SCHEMA_REGISTRY_LOG"):
            sys.stderr.write("registry: " + fmt % args + "\n")

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"error_code": code, "message": message})

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def authorized(self):
        if not self.users:
            return True
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return self.users.get(user) == secret
        return False

    def route(self, method):
        if not self.authorized():
            self.error(401, 40101, "Unauthorized")
            return
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/") if p]
        query = parse_qs(url.query)
        r = self.registry
        with r.lock:
            self.dispatch(method, parts, query, r)

    def dispatch(self, method, parts, query, r):
        if parts == ["subjects"] and method == "GET":
            return self.reply(200, sorted(s for s in r.subjects if r.versions(s)))
        if len(parts) == 3 and parts[:2] == ["schemas", "ids"] and method == "GET":
            try:
                kind, text = r.schemas[int(parts[2]) - 1]
            except (ValueError, IndexError):
                return self.error(404, 40403, "Schema %s not found" % parts[2])
            body = {"schema": text}
            if kind != "AVRO":
                body["schemaType"] = kind
            return self.reply(200, body)
        if parts and parts[0] == "config" and len(parts) <= 2:
            subject = parts[1] if len(parts) == 2 else None
            if method == "GET":
                level = r.config.get(subject)
                if level is None:
                    return self.error(404, 40408, "Subject '%s' does not have subject-level compatibility configured" % subject)
                return self.reply(200, {"compatibilityLevel": level})
            if method == "PUT":
                level = (self.body() or {}).get("compatibility", "")
                if level not in ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"):
                    return self.error(422, 42203, "Invalid compatibility level")
                r.config[subject] = level
                return self.reply(200, {"compatibility": level})
        if len(parts) == 5 and parts[0] == "compatibility" and parts[1] == "subjects" and parts[3] == "versions" and method == "POST":
            subject = parts[2]
            kind, text, problem = self.schema_from_body()
            if problem:
                return self.error(422, 42201, problem)
            if not r.versions(subject):
                return self.error(404, 40401, "Subject '%s' not found." % subject)
            ok, messages = r.compatible(subject, kind, text)
            return self.reply(200, {"is_compatible": ok, "messages": messages})
        if len(parts) >= 2 and parts[0] == "subjects":
            subject = parts[1]
            if len(parts) == 2 and method == "POST":
                kind, text, problem = self.schema_from_body()
                if problem:
                    return self.error(422, 42201, problem)
                if not r.versions(subject):
                    return self.error(404, 40401, "Subject '%s' not found." % subject)
                key = (kind, canonical(text))
                for v in r.versions(subject):
                    if v["id"] == r.ids_by_key.get(key):
                        return self.reply(200, {"subject": subject, "version": v["version"], "id": v["id"], "schema": text})
                return self.error(404, 40403, "Schema not found")
            if len(parts) == 2 and method == "DELETE":
                versions = r.subjects.get(subject, [])
                live = [v["version"] for v in versions if not v["deleted"]]
                if not versions or (not live and "permanent" not in query):
                    return self.error(404, 40401, "Subject '%s' not found." % subject)
                if query.get("permanent") == ["true"]:
                    gone = [v["version"] for v in versions]
                    del r.subjects[subject]
                    return self.reply(200, gone)
                for v in versions:
                    v["deleted"] = True
                return self.reply(200, live)
            if len(parts) == 3 and parts[2] == "versions":
                if method == "GET":
                    live = r.versions(subject)
                    if not live:
                        return self.error(404, 40401, "Subject '%s' not found." % subject)
                    return self.reply(200, [v["version"] for v in live])
                if method == "POST":
                    return self.register(subject, r)
            if len(parts) == 4 and parts[2] == "versions" and method == "GET":
                live = r.versions(subject)
                if not live:
                    return self.error(404, 40401, "Subject '%s' not found." % subject)
                if parts[3] in ("latest", "-1"):
                    v = live[-1]
                else:
                    try:
                        wanted = int(parts[3])
                    except ValueError:
                        return self.error(422, 42202, "The specified version '%s' is not a valid version id." % parts[3])
                    found = [v for v in live if v["version"] == wanted]
                    if not found:
                        return self.error(404, 40402, "Version %d not found." % wanted)
                    v = found[0]
                kind, text = r.schemas[v["id"] - 1]
                body = {"subject": subject, "version": v["version"], "id": v["id"], "schema": text}
                if kind != "AVRO":
                    body["schemaType"] = kind
                return self.reply(200, body)
        self.error(404, 404, "HTTP 404 Not Found")

    def schema_from_body(self):
        body = self.body()
        if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
            return None, None, "the request needs a \"schema\" string"
        kind = body.get("schemaType", "AVRO")
        text = body["schema"]
        try:
            if kind == "AVRO":
                parse_avro(text)
            elif kind == "JSON":
                if not isinstance(json.loads(text), (dict, bool)):
                    raise InvalidSchema("a JSON schema is an object or a boolean")
            else:
                raise InvalidSchema("schema type %s is not supported here" % kind)
        except (InvalidSchema, ValueError) as e:
            return None, None, "Invalid schema: %s" % e
        return kind, text, None

    def register(self, subject, r):
        kind, text, problem = self.schema_from_body()
        if problem:
            return self.error(422, 42201, problem)
        key = (kind, canonical(text))
        existing = r.ids_by_key.get(key)
        for v in r.versions(subject):
            if v["id"] == existing:
                return self.reply(200, {"id": existing})
        ok, messages = r.compatible(subject, kind, text)
        if not ok:
            return self.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \"%s\": %s"
                              % (subject, "; ".join(messages)))
        if existing is None:
            r.schemas.append((kind, text))
            existing = len(r.schemas)
            r.ids_by_key[key] = existing
        versions = r.subjects.setdefault(subject, [])
        versions.append({"version": (versions[-1]["version"] + 1) if versions else 1, "id": existing, "deleted": False})
        return self.reply(200, {"id": existing})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", help="file to write the port to once serving")
    parser.add_argument("--user", action="append", default=[], help="NAME:SECRET allowed in with basic auth")
    parser.add_argument("--tls-cert", help="server certificate (PEM): also serve HTTPS")
    parser.add_argument("--tls-key", help="the certificate's key (PEM)")
    parser.add_argument("--tls-ready", help="file to write the HTTPS port to once serving")
    args = parser.parse_args()
    Handler.registry = Registry()
    Handler.users = dict(u.split(":", 1) for u in args.user) or None

    def ready(path, port):
        if path:
            with open(path + ".tmp", "w") as f:
                f.write("%d\n" % port)
            os.replace(path + ".tmp", path)

    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        secure = ThreadingHTTPServer((args.host, 0), Handler)
        secure.socket = context.wrap_socket(secure.socket, server_side=True)
        threading.Thread(target=secure.serve_forever, daemon=True).start()
        ready(args.tls_ready, secure.server_address[1])
        print("schema registry (https) on %s:%d" % (args.host, secure.server_address[1]), flush=True)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    port = server.server_address[1]
    ready(args.ready, port)
    print("schema registry on %s:%d" % (args.host, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
