#!/usr/bin/python3
"""Copies etcd's v3 API .proto files, as Debian's golang-etcd-server-dev
installs them, without their Go-only options, so that protoc makes C++ and
gRPC stubs from them (storage/etcd/CMakeLists.txt):

    scripts/strip-etcd-protos.py ETCD_SOURCE_DIR OUT_DIR

ETCD_SOURCE_DIR is /usr/share/gocode/src/go.etcd.io/etcd. Removed: the
imports of gogoproto/gogo.proto and google/api/annotations.proto, every
`option (gogoproto.*)` line and `[(gogoproto.*)]` field option, and every
`option (google.api.http) = {...};` block (the HTTP gateway's routes). The
messages, fields, numbers and services are left exactly as they are: the
wire format is etcd's. Standard library only.
"""

import os
import re
import sys

FILES = [
    ("etcdserver/etcdserverpb/rpc.proto", "etcd/etcdserver/etcdserverpb/rpc.proto"),
    ("mvcc/mvccpb/kv.proto", "etcd/mvcc/mvccpb/kv.proto"),
    ("auth/authpb/auth.proto", "etcd/auth/authpb/auth.proto"),
]


def strip(text):
    text = re.sub(r'import "gogoproto/gogo.proto";\n', "", text)
    text = re.sub(r'import "google/api/annotations.proto";\n', "", text)
    text = re.sub(r"option \(gogoproto\.[a-z_]+\) = [a-z]+;\n", "", text)
    text = re.sub(r"option \(google\.api\.http\) = \{.*?\};\n", "", text,
                  flags=re.S)
    # Field options: drop the gogoproto ones, keep any other.
    def field_options(m):
        kept = [o.strip() for o in m.group(1).split(",")
                if not o.strip().startswith("(gogoproto.")]
        return " [" + ", ".join(kept) + "]" if kept else ""
    text = re.sub(r"\s*\[([^\]]*gogoproto[^\]]*)\]", field_options, text)
    return text


def main():
    source, out = sys.argv[1], sys.argv[2]
    for src, dst in FILES:
        with open(os.path.join(source, src)) as f:
            text = strip(f.read())
        if "gogoproto" in text or "google.api" in text:
            sys.exit(f"strip-etcd-protos: {src} still names an option it "
                     "cannot strip")
        path = os.path.join(out, dst)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        new = text
        if os.path.exists(path) and open(path).read() == new:
            continue  # unchanged: protoc need not run again
        with open(path, "w") as f:
            f.write(new)


if __name__ == "__main__":
    main()
