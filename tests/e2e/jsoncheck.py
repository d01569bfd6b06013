#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks on flowtop's JSON Lines output, for the end-to-end tests.

Each subcommand prints nothing and exits 0 when the check holds, or prints
one line saying what is wrong (followed by a few lines of evidence) and
exits 1.

  jsoncheck.py valid FILE [--allow-empty]
      Every line of FILE is one JSON object (JSON Lines, nothing else).
  jsoncheck.py snapshots FILE --max N
      Every line has a numeric "time"; lines of one snapshot share it and sit
      together; the times go up from one snapshot to the next; there are at
      most N snapshots.
  jsoncheck.py flow FILE --where K=V [--where K=V ...] [--snapshot last|any]
                [--nonzero F,F] [--numeric F,F] [--present F,F]
      A flow matching every K=V is in the last snapshot (or any), and on that
      line the --nonzero fields are numbers > 0, the --numeric fields are
      numbers, the --present fields exist.
  jsoncheck.py none FILE --where K=V [...]
      No line matches every K=V.
  jsoncheck.py field FILE --where K=V [...] --get F
      Prints field F of the last matching line (for the shell to use).
  jsoncheck.py expect FILE --where K=V [...] --expect K=V [--expect K=V ...]
                [--snapshot last|any]
      A flow matching every --where is in the last snapshot (or any), and on
      the last such line every --expect field is there with that value
      (same comparison rules as --where); says which differ.
  jsoncheck.py absent FILE --fields F,F [--allow-empty]
      No line carries any of the fields F.
  jsoncheck.py termsafe FILE
      Raw bytes check, for text and JSON output alike: FILE is valid UTF-8
      and holds no byte or character a terminal may act on: C0 controls
      other than tab and newline (ESC, BEL, ...), DEL, C1 (U+0080..U+009F,
      whether as UTF-8 or as a lone byte such as 0x9b).
  jsoncheck.py jsonsafe FILE
      Every string value of every line, once decoded from JSON, is free of
      C0 controls, DEL and C1 (so `jq -r` can't put them on a terminal).
  jsoncheck.py safename FILE --where K=V [...] --field F [--require]
                [--max-len N]
      On every line matching --where, field F is either absent (only without
      --require) or a string with no control character (decoded) that shows
      an escape (a backslash), at most N characters long: what a hostile
      name must become.

Matching: src and dst compare as IP addresses (so 2001:db8::2 equals
2001:0db8:0:0::2); a V made of digits must equal a JSON number; anything else
compares as a string.
"""

import argparse
import ipaddress
import json
import sys


class CheckFailed(Exception):
    def __init__(self, why, evidence=()):
        super().__init__(why)
        self.why = why
        self.evidence = list(evidence)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def load(path, allow_empty=False):
    flows = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckFailed("output is not UTF-8: %s" % e)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise CheckFailed("line %d is not JSON: %s" % (n, e), [line])
        if not isinstance(obj, dict):
            raise CheckFailed("line %d is JSON but not an object" % n, [line])
        flows.append(obj)
    if not flows and not allow_empty:
        raise CheckFailed("no output lines at all")
    return flows


def snapshots(flows):
    """Split into runs of equal "time"; checks the grouping as it goes."""
    groups = []
    for i, f in enumerate(flows, 1):
        t = f.get("time")
        if not is_number(t):
            raise CheckFailed("line %d: \"time\" missing or not a number" % i,
                              [json.dumps(f)])
        if groups and groups[-1][0] == t:
            groups[-1][1].append(f)
            continue
        if groups and t < groups[-1][0]:
            raise CheckFailed("line %d: time %r goes back from %r"
                              % (i, t, groups[-1][0]))
        if any(g[0] == t for g in groups):
            raise CheckFailed("line %d: snapshot time %r is split" % (i, t))
        groups.append((t, [f]))
    return groups


def parse_where(items):
    out = []
    for it in items or []:
        if "=" not in it:
            raise SystemExit("jsoncheck.py: --where wants K=V, not %r" % it)
        k, v = it.split("=", 1)
        out.append((k, v))
    return out


def matches(flow, where):
    for k, v in where:
        if k not in flow:
            return False
        got = flow[k]
        if k in ("src", "dst"):
            try:
                if ipaddress.ip_address(str(got)) != ipaddress.ip_address(v):
                    return False
            except ValueError:
                return False
        elif v.isdigit():
            if not is_number(got) or got != int(v):
                return False
        elif str(got) != v:
            return False
    return True


def describe(where):
    return " ".join("%s=%s" % kv for kv in where)


def cmd_valid(a):
    load(a.file, a.allow_empty)


def cmd_snapshots(a):
    groups = snapshots(load(a.file))
    if len(groups) > a.max:
        raise CheckFailed("%d snapshots (distinct times), at most %d expected"
                          % (len(groups), a.max))


def pick_scope(a, flows):
    if a.snapshot == "last":
        return snapshots(flows)[-1][1]
    return flows


def cmd_flow(a):
    flows = load(a.file)
    where = parse_where(a.where)
    scope = pick_scope(a, flows)
    hits = [f for f in scope if matches(f, where)]
    if not hits:
        proto = dict(where).get("proto")
        near = [json.dumps(f) for f in scope
                if proto is None or f.get("proto") == proto][:6]
        raise CheckFailed("no flow with %s in the %s snapshot%s"
                          % (describe(where),
                             "last" if a.snapshot == "last" else "any",
                             "" if a.snapshot == "last" else "s"),
                          ["flows of that protocol there:"] + near
                          if near else ["(none of that protocol)"])
    f = hits[-1]
    problems = []
    for k in filter(None, (a.present or "").split(",")):
        if k not in f:
            problems.append("%s missing" % k)
    for k in filter(None, (a.numeric or "").split(",")):
        if not is_number(f.get(k)):
            problems.append("%s=%r not a number" % (k, f.get(k)))
    for k in filter(None, (a.nonzero or "").split(",")):
        v = f.get(k)
        if not is_number(v) or v <= 0:
            problems.append("%s=%r not > 0" % (k, v))
    if problems:
        raise CheckFailed("flow %s: %s" % (describe(where), ", ".join(problems)),
                          [json.dumps(f)])


def cmd_none(a):
    flows = load(a.file, allow_empty=True)
    where = parse_where(a.where)
    hits = [f for f in flows if matches(f, where)]
    if hits:
        raise CheckFailed("%d line(s) with %s, expected none"
                          % (len(hits), describe(where)),
                          [json.dumps(f) for f in hits[:3]])


def cmd_field(a):
    flows = load(a.file)
    where = parse_where(a.where)
    hits = [f for f in flows if matches(f, where)]
    if not hits or a.get not in hits[-1]:
        raise CheckFailed("no %s on a flow with %s" % (a.get, describe(where)))
    print(hits[-1][a.get])


# ---------------------------------------------------------------- added for
# the resolver tests (t_resolver.sh)

def control_chars(text):
    """The C0 (but tab/newline), DEL and C1 characters in text, as repr."""
    bad = []
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\n") or 0x7f <= o <= 0x9f:
            bad.append("U+%04X" % o)
    return bad


def cmd_expect(a):
    flows = load(a.file)
    where = parse_where(a.where)
    scope = pick_scope(a, flows)
    hits = [f for f in scope if matches(f, where)]
    if not hits:
        raise CheckFailed("no flow with %s in the %s snapshot%s"
                          % (describe(where),
                             "last" if a.snapshot == "last" else "any",
                             "" if a.snapshot == "last" else "s"),
                          [json.dumps(f) for f in scope[:6]])
    f = hits[-1]
    problems = []
    for k, v in parse_where(a.expect):
        if k not in f:
            problems.append("%s missing (expected %r)" % (k, v))
        elif not matches(f, [(k, v)]):
            problems.append("%s=%r (expected %r)" % (k, f[k], v))
    if problems:
        raise CheckFailed("flow %s: %s" % (describe(where), ", ".join(problems)),
                          [json.dumps(f)])


def cmd_absent(a):
    flows = load(a.file, a.allow_empty)
    fields = [k for k in a.fields.split(",") if k]
    hits = [f for f in flows if any(k in f for k in fields)]
    if hits:
        found = sorted({k for f in hits for k in fields if k in f})
        raise CheckFailed("%d line(s) carry %s, expected none"
                          % (len(hits), ",".join(found)),
                          [json.dumps(f) for f in hits[:3]])


def cmd_termsafe(a):
    with open(a.file, "rb") as fh:
        raw = fh.read()
    # ASCII bytes never occur inside a UTF-8 sequence: look for them raw.
    # (A 0x9b byte may: a lone one fails the UTF-8 check, U+009B the C1
    # check below.)
    for b, what in ((0x1b, "ESC"), (0x07, "BEL"), (0x7f, "DEL"),
                    (0x00, "NUL")):
        i = raw.find(bytes([b]))
        if i >= 0:
            raise CheckFailed("raw %s byte at offset %d" % (what, i),
                              [repr(raw[max(0, i - 40):i + 40])])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckFailed("not valid UTF-8: %s" % e,
                          [repr(raw[max(0, e.start - 40):e.start + 40])])
    for n, line in enumerate(text.split("\n"), 1):
        bad = control_chars(line)
        if bad:
            raise CheckFailed("line %d has control characters %s"
                              % (n, " ".join(bad[:5])),
                              [ascii(line)])


def strings_of(v, path=""):
    if isinstance(v, str):
        yield path, v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from strings_of(k, path + "/<key>")
            yield from strings_of(x, path + "/" + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from strings_of(x, "%s/%d" % (path, i))


def cmd_jsonsafe(a):
    flows = load(a.file, allow_empty=True)
    for n, f in enumerate(flows, 1):
        for path, sv in strings_of(f):
            bad = control_chars(sv)
            if bad:
                raise CheckFailed("line %d: %s holds %s once decoded"
                                  % (n, path, " ".join(bad[:5])),
                                  [json.dumps(f)])


def cmd_safename(a):
    flows = load(a.file)
    where = parse_where(a.where)
    hits = [f for f in flows if matches(f, where)]
    if not hits:
        raise CheckFailed("no flow with %s" % describe(where))
    for f in hits:
        if a.field not in f:
            if a.require:
                raise CheckFailed("flow %s: %s missing" % (describe(where), a.field),
                                  [json.dumps(f)])
            continue
        v = f[a.field]
        if not isinstance(v, str):
            raise CheckFailed("flow %s: %s=%r is not a string"
                              % (describe(where), a.field, v))
        bad = control_chars(v)
        if bad:
            raise CheckFailed("flow %s: %s holds %s once decoded"
                              % (describe(where), a.field, " ".join(bad[:5])),
                              [json.dumps(f)])
        if "\\" not in v:
            raise CheckFailed("flow %s: %s=%s shows no escape"
                              % (describe(where), a.field, ascii(v)),
                              [json.dumps(f)])
        if a.max_len is not None and len(v) > a.max_len:
            raise CheckFailed("flow %s: %s is %d characters long, at most %d"
                              % (describe(where), a.field, len(v), a.max_len),
                              [json.dumps(f)[:300]])


def add_resolver_commands(sub):
    p = sub.add_parser("expect")
    p.add_argument("file")
    p.add_argument("--where", action="append", required=True)
    p.add_argument("--expect", action="append", required=True)
    p.add_argument("--snapshot", choices=("last", "any"), default="last")
    p.set_defaults(fn=cmd_expect)
    p = sub.add_parser("absent")
    p.add_argument("file")
    p.add_argument("--fields", required=True)
    p.add_argument("--allow-empty", action="store_true")
    p.set_defaults(fn=cmd_absent)
    p = sub.add_parser("termsafe")
    p.add_argument("file")
    p.set_defaults(fn=cmd_termsafe)
    p = sub.add_parser("jsonsafe")
    p.add_argument("file")
    p.set_defaults(fn=cmd_jsonsafe)
    p = sub.add_parser("safename")
    p.add_argument("file")
    p.add_argument("--where", action="append", required=True)
    p.add_argument("--field", required=True)
    p.add_argument("--require", action="store_true")
    p.add_argument("--max-len", type=int)
    p.set_defaults(fn=cmd_safename)


def main():
    ap = argparse.ArgumentParser(prog="jsoncheck.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("valid")
    p.add_argument("file")
    p.add_argument("--allow-empty", action="store_true")
    p.set_defaults(fn=cmd_valid)
    p = sub.add_parser("snapshots")
    p.add_argument("file")
    p.add_argument("--max", type=int, required=True)
    p.set_defaults(fn=cmd_snapshots)
    p = sub.add_parser("flow")
    p.add_argument("file")
    p.add_argument("--where", action="append", required=True)
    p.add_argument("--snapshot", choices=("last", "any"), default="last")
    p.add_argument("--nonzero")
    p.add_argument("--numeric")
    p.add_argument("--present")
    p.set_defaults(fn=cmd_flow)
    p = sub.add_parser("none")
    p.add_argument("file")
    p.add_argument("--where", action="append", required=True)
    p.set_defaults(fn=cmd_none)
    p = sub.add_parser("field")
    p.add_argument("file")
    p.add_argument("--where", action="append", required=True)
    p.add_argument("--get", required=True)
    p.set_defaults(fn=cmd_field)
    add_resolver_commands(sub)
    a = ap.parse_args()
    try:
        a.fn(a)
    except CheckFailed as e:
        print(e.why)
        for line in e.evidence:
            print("    | " + line[:300])
        return 1
    except OSError as e:
        print("cannot read %s: %s" % (a.file, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
