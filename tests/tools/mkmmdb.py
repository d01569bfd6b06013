#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""mkmmdb: write a small MaxMind DB (.mmdb) file from a JSON description.

The tests build their GeoIP databases with this at test time instead of
committing binaries, so every byte of a test database can be read in its
source. Written from the public MaxMind DB format specification (v2.0);
Python 3 standard library only.

  mkmmdb.py IN.json OUT.mmdb

IN.json:
  {
    "metadata": {"database_type": "DBIP-City-Lite", "ip_version": 6,
                 "languages": ["en"], "description": {"en": "..."},
                 "build_epoch": 1700000000},
    "record_size": 24,        optional: 24, 28 or 32 (default: smallest fit)
    "pointers": true,         optional: reuse repeated data through pointers
    "pad_to": 4096,           optional: zero padding before the metadata so
                              the file size is a multiple of this
    "networks": [["1.2.3.0/24", {"country_code": "DE"}], ...]
  }

node_count, record_size and the binary format version are filled in; other
metadata keys are written as given. In an ip_version 6 database an IPv4
network a.b.c.d/n is stored at ::a.b.c.d/(96+n), where readers look IPv4
addresses up. A more specific network may sit inside a wider one.

JSON values map to MaxMind DB types: string -> utf8_string, integer ->
uint32 (uint64, uint128 when larger; int32 when negative), float -> double,
true/false -> boolean, list -> array, object -> map. A lone surrogate
"\\udcNN" in a string becomes the raw byte NN, so a test can write invalid
UTF-8. An object {"$type": T, "value": V} forces a type: uint16, uint32,
uint64, uint128, int32, double, float, boolean, utf8_string, bytes (V in
hex), map, array.
"""
import ipaddress
import json
import struct
import sys

# Type numbers of the data section (spec, "Output Data Section").
T_POINTER, T_UTF8, T_DOUBLE, T_BYTES, T_UINT16, T_UINT32, T_MAP = 1, 2, 3, 4, 5, 6, 7
T_INT32, T_UINT64, T_UINT128, T_ARRAY, T_BOOLEAN, T_FLOAT = 8, 9, 10, 11, 14, 15

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
SEPARATOR = b"\x00" * 16

# Explicit "$type" names -> (type number, the integer range it allows).
INT_TYPES = {
    "uint16": (T_UINT16, 0, 2**16 - 1),
    "uint32": (T_UINT32, 0, 2**32 - 1),
    "uint64": (T_UINT64, 0, 2**64 - 1),
    "uint128": (T_UINT128, 0, 2**128 - 1),
    "int32": (T_INT32, -(2**31), 2**31 - 1),
}


class MkmmdbError(Exception):
    pass


def utf8(s):
    """str -> bytes; lone surrogates U+DC80..U+DCFF stand for raw bytes."""
    return s.encode("utf-8", "surrogateescape")


def typed_int(v, name):
    num, lo, hi = INT_TYPES[name]
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise MkmmdbError(f"{v!r} is not a valid {name}")
    return (num, v)


def typed_explicit(obj):
    """{"$type": T, "value": V} -> typed value."""
    name, v = obj["$type"], obj.get("value")
    if name in INT_TYPES:
        return typed_int(v, name)
    simple = {
        "double": lambda: (T_DOUBLE, float(v)),
        "float": lambda: (T_FLOAT, float(v)),
        "boolean": lambda: (T_BOOLEAN, bool(v)),
        "utf8_string": lambda: (T_UTF8, utf8(v)),
        "bytes": lambda: (T_BYTES, bytes.fromhex(v)),
        "map": lambda: typed(v),
        "array": lambda: typed(v),
    }
    if name not in simple:
        raise MkmmdbError(f"unknown $type {name!r}")
    return simple[name]()


def typed(v):
    """A JSON value -> a hashable (type number, payload) tree."""
    if isinstance(v, bool):
        return (T_BOOLEAN, v)
    if isinstance(v, int):
        for name in ("uint32", "uint64", "uint128", "int32"):
            _, lo, hi = INT_TYPES[name]
            if lo <= v <= hi:
                return typed_int(v, name)
        raise MkmmdbError(f"integer {v} fits no MaxMind DB type")
    if isinstance(v, float):
        return (T_DOUBLE, v)
    if isinstance(v, str):
        return (T_UTF8, utf8(v))
    if isinstance(v, list):
        return (T_ARRAY, tuple(typed(x) for x in v))
    if isinstance(v, dict):
        if "$type" in v:
            return typed_explicit(v)
        return (T_MAP, tuple(((T_UTF8, utf8(k)), typed(x)) for k, x in v.items()))
    raise MkmmdbError(f"no MaxMind DB type for {v!r}")


def control(type_num, size):
    """Control byte(s) of a field: 3 type bits, 5 size bits, then the
    extended type byte and the size's extra bytes."""
    if size < 29:
        first, extra = size, b""
    elif size < 29 + 256:
        first, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, extra = 30, (size - 285).to_bytes(2, "big")
    elif size < 65821 + 2**24:
        first, extra = 31, (size - 65821).to_bytes(3, "big")
    else:
        raise MkmmdbError(f"field of size {size} is too large")
    if type_num <= 7:
        return bytes([(type_num << 5) | first]) + extra
    return bytes([first, type_num - 7]) + extra


def pointer(offset):
    """A pointer field: 001SSVVV, the value's width chosen by SS, each
    wider form biased by what the narrower ones already reach."""
    if offset < 2048:
        return bytes([0x20 | (offset >> 8), offset & 0xFF])
    v = offset - 2048
    if v < 2**19:
        return bytes([0x28 | (v >> 16)]) + (v & 0xFFFF).to_bytes(2, "big")
    v = offset - 526336
    if v < 2**27:
        return bytes([0x30 | (v >> 24)]) + (v & 0xFFFFFF).to_bytes(3, "big")
    return bytes([0x38]) + offset.to_bytes(4, "big")


def int_bytes(type_num, v):
    """Big-endian with no leading zero bytes (0 has none at all); int32 is
    two's complement, a negative one always four bytes."""
    if type_num == T_INT32 and v < 0:
        return (v & 0xFFFFFFFF).to_bytes(4, "big")
    return v.to_bytes((v.bit_length() + 7) // 8, "big")


class Encoder:
    """Appends fields to a data section; with pointers on, a string,
    map or array seen before becomes a pointer to its first copy (never a
    pointer to a pointer: only inline copies are remembered)."""

    def __init__(self, use_pointers):
        self.buf = bytearray()
        self.seen = {}
        self.use_pointers = use_pointers

    def worth_a_pointer(self, t):
        num, payload = t
        if num == T_UTF8:
            return len(payload) > 3
        return num in (T_MAP, T_ARRAY) and len(payload) > 0

    def write(self, t):
        """Append t; return the offset where it (or its pointer) starts."""
        at = len(self.buf)
        if self.use_pointers and t in self.seen:
            self.buf += pointer(self.seen[t])
            return at
        self.write_inline(t)
        if self.use_pointers and self.worth_a_pointer(t):
            self.seen[t] = at
        return at

    def write_inline(self, t):
        num, payload = t
        if num == T_MAP:
            self.buf += control(T_MAP, len(payload))
            for k, v in payload:
                self.write(k)
                self.write(v)
        elif num == T_ARRAY:
            self.buf += control(T_ARRAY, len(payload))
            for v in payload:
                self.write(v)
        elif num == T_BOOLEAN:
            self.buf += control(T_BOOLEAN, 1 if payload else 0)
        else:
            body = self.scalar_body(num, payload)
            self.buf += control(num, len(body)) + body

    @staticmethod
    def scalar_body(num, payload):
        if num in (T_UTF8, T_BYTES):
            return payload
        if num == T_DOUBLE:
            return struct.pack(">d", payload)
        if num == T_FLOAT:
            return struct.pack(">f", payload)
        return int_bytes(num, payload)


class Node:
    __slots__ = ("kids", "index")

    def __init__(self, fill=None):
        # A kid is None (no data), a Node, or ("data", typed value).
        self.kids = [fill, fill]
        self.index = -1


def network_bits(text, ip_version):
    """'1.2.3.0/24' -> (address as an int of the tree's width, prefix)."""
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        raise MkmmdbError(f"bad network {text!r}: {e}") from None
    if net.version == 4 and ip_version == 6:
        # IPv4 lives at ::a.b.c.d/(96+n) in an IPv6 tree.
        return int(net.network_address), 96 + net.prefixlen
    if net.version != ip_version:
        raise MkmmdbError(f"IPv6 network {text} in an IPv4 database")
    return int(net.network_address), net.prefixlen


def insert(root, addr, plen, width, leaf):
    """Walk plen bits of addr from the root, splitting any data record on
    the way (a wider network above this one) into a node that keeps it on
    both sides, and put leaf at the end."""
    node = root
    for depth in range(plen - 1):
        bit = (addr >> (width - 1 - depth)) & 1
        kid = node.kids[bit]
        if not isinstance(kid, Node):
            kid = Node(kid)
            node.kids[bit] = kid
        node = kid
    node.kids[(addr >> (width - plen)) & 1] = leaf


def build_tree(networks, ip_version):
    width = 32 if ip_version == 4 else 128
    root = Node()
    parsed = []
    for entry in networks:
        if not isinstance(entry, list) or len(entry) != 2:
            raise MkmmdbError(f"a network is [\"CIDR\", value], not {entry!r}")
        addr, plen = network_bits(entry[0], ip_version)
        if plen == 0:
            raise MkmmdbError("a /0 network has no record of its own in the tree")
        parsed.append((plen, addr, typed(entry[1])))
    # Wider networks first, so narrower ones split them rather than being
    # overwritten; the sort is stable, so a repeated network's last value wins.
    parsed.sort(key=lambda p: p[0])
    for plen, addr, value in parsed:
        insert(root, addr, plen, width, ("data", value))
    return root


def number_nodes(root):
    """Breadth-first node numbers; the root is node 0."""
    order, i = [root], 0
    while i < len(order):
        node = order[i]
        node.index = i
        order.extend(k for k in node.kids if isinstance(k, Node))
        i += 1
    return order


def pack_node(left, right, record_size):
    if record_size == 24:
        return left.to_bytes(3, "big") + right.to_bytes(3, "big")
    if record_size == 28:
        # The two top nibbles share the middle byte, the left one first.
        middle = ((left >> 24) << 4) | (right >> 24)
        return (left & 0xFFFFFF).to_bytes(3, "big") + bytes([middle]) + \
            (right & 0xFFFFFF).to_bytes(3, "big")
    return left.to_bytes(4, "big") + right.to_bytes(4, "big")


def pick_record_size(largest, wanted):
    for size in (24, 28, 32):
        if wanted in (None, size) and largest < 2**size:
            return size
    raise MkmmdbError(f"record_size {wanted} cannot hold the value {largest}")


def write_tree(nodes, data_offsets, record_size):
    n = len(nodes)

    def record(kid):
        if kid is None:
            return n
        if isinstance(kid, Node):
            return kid.index
        return n + len(SEPARATOR) + data_offsets[kid[1]]

    return b"".join(pack_node(record(a.kids[0]), record(a.kids[1]), record_size)
                    for a in nodes)


def encode_data(nodes, use_pointers):
    """Each distinct record once; returns (data section, typed -> offset)."""
    enc, offsets = Encoder(use_pointers), {}
    for node in nodes:
        for kid in node.kids:
            if isinstance(kid, tuple) and kid[1] not in offsets:
                offsets[kid[1]] = len(enc.buf)
                enc.write_inline(kid[1])
    return bytes(enc.buf), offsets


def encode_metadata(meta, node_count, record_size):
    fixed = {
        "node_count": {"$type": "uint32", "value": node_count},
        "record_size": {"$type": "uint16", "value": record_size},
        "ip_version": {"$type": "uint16", "value": meta["ip_version"]},
        "binary_format_major_version": {"$type": "uint16", "value": 2},
        "binary_format_minor_version": {"$type": "uint16", "value": 0},
        "build_epoch": {"$type": "uint64", "value": meta.get("build_epoch", 1700000000)},
        "languages": meta.get("languages", ["en"]),
        "description": meta.get("description", {"en": "flowtop test database"}),
    }
    merged = dict(meta)
    merged.update(fixed)
    enc = Encoder(False)  # metadata pointers would be relative to itself
    enc.write(typed(merged))
    return bytes(enc.buf)


def build(spec):
    meta = spec.get("metadata", {})
    ip_version = meta.get("ip_version", 6)
    if ip_version not in (4, 6):
        raise MkmmdbError("ip_version must be 4 or 6")
    if "database_type" not in meta:
        raise MkmmdbError("metadata needs a database_type")
    meta = dict(meta, ip_version=ip_version)
    nodes = number_nodes(build_tree(spec.get("networks", []), ip_version))
    data, offsets = encode_data(nodes, spec.get("pointers", True))
    largest = len(nodes) + len(SEPARATOR) + len(data)
    record_size = pick_record_size(largest, spec.get("record_size"))
    body = write_tree(nodes, offsets, record_size) + SEPARATOR + data
    tail = METADATA_MARKER + encode_metadata(meta, len(nodes), record_size)
    pad_to = spec.get("pad_to")
    if pad_to:
        body += b"\x00" * (-(len(body) + len(tail)) % pad_to)
    return body + tail


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mkmmdb.py IN.json OUT.mmdb\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            spec = json.load(f)
        out = build(spec)
        with open(argv[2], "wb") as f:
            f.write(out)
    except (OSError, ValueError, KeyError, TypeError, MkmmdbError) as e:
        sys.stderr.write(f"mkmmdb: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
