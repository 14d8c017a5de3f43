#!/usr/bin/env python3
"""fastavro as the reference for the Avro tests.

  avro_reference.py encode SCHEMA_FILE   stdin: Avro JSON records, one per line; stdout: hex of each binary record
  avro_reference.py decode SCHEMA_FILE   stdin: hex binary records, one per line; stdout: each as Avro JSON
"""
import io
import json
import sys

import fastavro
from fastavro import json_reader, json_writer, schemaless_reader, schemaless_writer


def main():
    mode, schema_file = sys.argv[1], sys.argv[2]
    with open(schema_file) as f:
        schema = fastavro.parse_schema(json.load(f))
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if mode == "encode":
            record = next(iter(json_reader(io.StringIO(line), schema)))
            out = io.BytesIO()
            schemaless_writer(out, schema, record)
            print(out.getvalue().hex())
        else:
            record = schemaless_reader(io.BytesIO(bytes.fromhex(line)), schema, None)
            out = io.StringIO()
            json_writer(out, schema, [record])
            print(out.getvalue().strip())
        sys.stdout.flush()


if __name__ == "__main__":
    main()
