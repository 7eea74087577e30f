"""Hypothesis strategies for hostile requests to the emulator (kintone profile): SCIM, Kintone's User API copy
and /_emulator, each mostly almost right (a real endpoint, a real credential, a body of the right shape) with
something wrong in it: malformed JSON, wrong types, deep nesting, odd bytes and escapes in paths, queries
and headers, bad filters, numbers beyond 64 bits or a double, lone surrogates, lying lengths, bodies cut off.

Test-only switches are never turned on (rule switches and defects are deliberate breakage, some of it 500 on
purpose): their PUT bodies only turn switches off or are refused.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import strategies as st

from scim_harness.emulator.defects import BY_NAME
from scim_harness.emulator.rules import RuleSwitches
from tests.emulator.conftest import ADMIN_PASSWORD, PATCH_SCHEMA, SEED_TOKEN, USER_SCHEMA
from tests.emulator.hostile_http import HostileRequest

BASE = "/scim/v2"
ADMIN = base64.b64encode(f"Administrator:{ADMIN_PASSWORD}".encode())
BEARER = b"Bearer " + SEED_TOKEN.encode()
ODD_TEXT = [
    "", " ", "\x00", "\n", "\r\n", "\t", "\x7f", "\ud800", "\udfff", "\ud83d", "²", "٣", "Ⅻ", "9" * 30,
    "-1", "0", "1e400", "NaN", "Infinity", "%00", "%0a", "%", "../..", "a" * 300, "\u202e", "'", '"', "\\",
    "😀", "ǅ", "İ", "ß", "\ufeff", "null", "true", "<script>", "a\x00b", "=?utf-8?q?x?=",
]  # fmt: skip
BIG_INTS = [0, 1, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, -(10**30), 10**4000]

texts = st.one_of(
    st.text(max_size=12), st.sampled_from(ODD_TEXT), st.text(st.characters(codec=None), max_size=6)
)
numbers = st.one_of(
    st.sampled_from(BIG_INTS), st.integers(-1000, 1000), st.floats(allow_nan=True, allow_infinity=True)
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in `one_in` draws. A middle value of the range, because Hypothesis favours a range's
    ends (0 above all), which would make a "rare" 0 common."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


def _odd(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the valid thing (five times in six), sometimes any JSON value."""
    return st.one_of(valid, valid, valid, valid, valid, json_values)


# -- bodies ------------------------------------------------------------------------------------------------

logins = st.one_of(
    st.sampled_from(["alice@example.com", "ALICE@example.com", "bob", "new@example.com"]), texts
)
user_bodies = st.fixed_dictionaries(
    {"schemas": _odd(st.just([USER_SCHEMA])), "userName": _odd(logins)},
    optional={
        "displayName": _odd(texts),
        "externalId": _odd(texts),
        "active": _odd(st.sampled_from([True, False, "True", "False"])),
        "name": _odd(st.fixed_dictionaries({}, optional={"givenName": texts, "familyName": texts})),
        "emails": _odd(st.lists(st.fixed_dictionaries({"value": texts, "type": _odd(st.just("work"))}))),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": json_values,
        "id": json_values,
        "meta": json_values,
    },
)
attribute_paths = st.sampled_from(
    [
        "userName", "displayName", "active", "externalId", "name.givenName", "name.familyName",
        'emails[type eq "work"].value', "emails", "emails[value co \"@\"]", "title", "bogus", "", "[", "a..b",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "meta.version", "id",
        "emails[" + " or ".join(f'type eq "t{i}"' for i in range(60)) + "].value",
    ]
)  # fmt: skip
patch_bodies = st.fixed_dictionaries(
    {
        "schemas": _odd(st.just([PATCH_SCHEMA])),
        "Operations": _odd(
            st.lists(
                st.fixed_dictionaries(
                    {"op": _odd(st.sampled_from(["add", "replace", "remove", "Replace", "Add", "bogus"]))},
                    optional={"path": _odd(attribute_paths), "value": json_values},
                ),
                max_size=5,
            )
        ),
    }
)

filter_attributes = st.sampled_from(
    ["userName", "externalId", "id", "displayName", "name.givenName", "emails.value", "active",
     'emails[type eq "work"].value', "meta.lastModified", "title", "bogus", "",
     "urn:ietf:params:scim:schemas:core:2.0:User:userName"]
)  # fmt: skip
filter_values = st.one_of(
    st.sampled_from(
        ['"alice@example.com"', "true", "null", "1", "99999999999999999999999", '"\\ud800"', '"\\u0000"',
         '"²"', '"2020-01-01T00:00:00Z"', '"', "'x'", '"a\\"b"']
    ),
    texts.map(json.dumps),
)  # fmt: skip
comparisons = st.one_of(
    st.builds(
        "{} {} {}".format,
        filter_attributes,
        st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "xx"]),
        filter_values,
    ),
    filter_attributes.map(lambda a: f"{a} pr"),
)


@st.composite
def filters(draw: st.DrawFn) -> str:
    if rarely(draw, 10):
        return draw(texts)  # not a filter at all
    count = draw(st.one_of(st.integers(1, 4), st.integers(45, 70)))  # around the comparison limit too
    terms = [draw(comparisons) for _ in range(count)]
    text = terms[0]
    for term in terms[1:]:
        text = f"{text} {draw(st.sampled_from(['and', 'or', 'AND', 'xor']))} {term}"
    if draw(st.booleans()):
        text = f"not ({text})" if draw(st.booleans()) else f"({text}"
    return text


search_bodies = st.fixed_dictionaries(
    {"schemas": _odd(st.just(["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]))},
    optional={
        "filter": _odd(filters()),
        "startIndex": numbers,
        "count": numbers,
        "attributes": _odd(st.lists(texts, max_size=3)),
    },
)
token_bodies = st.fixed_dictionaries(
    {},
    optional={"validity_days": _odd(st.sampled_from([None, 30, 90, 1, 0, -30])), "notes": _odd(texts)},
)
token_changes = st.fixed_dictionaries(
    {},
    optional={
        "enabled": _odd(st.booleans()),
        "expires_at": _odd(st.sampled_from([None, "2030-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "x"])),
        "other": json_values,
    },
)
user_api_users = st.fixed_dictionaries(
    {"code": _odd(logins), "password": _odd(texts), "name": _odd(texts)},
    optional={"valid": _odd(st.booleans()), "email": _odd(texts), "surName": _odd(texts)},
)
rule_changes = st.dictionaries(
    st.one_of(st.sampled_from(RuleSwitches.names()), texts),
    st.one_of(st.just(False), json_values),
    max_size=3,
).filter(lambda d: not any(v is True for v in d.values()))
defect_changes = st.fixed_dictionaries(
    {},
    optional={
        "switches": _odd(
            st.dictionaries(st.one_of(st.sampled_from(sorted(BY_NAME)), texts), st.just(False), max_size=3)
        ),
        "parameters": _odd(
            st.dictionaries(st.sampled_from(["latency_seconds", "hang_seconds", "x"]), numbers, max_size=2)
        ),
    },
).filter(lambda d: not isinstance(d.get("switches"), dict) or True not in d["switches"].values())


@st.composite
def encoded(draw: st.DrawFn, value: object) -> bytes:
    """A body: the value as JSON (ASCII escapes, or raw UTF-8 where lone surrogates become invalid bytes),
    cut short, nested deep, or bytes that are no JSON at all."""
    kind = draw(st.integers(0, 24))
    text = json.dumps(value, allow_nan=True)
    if kind <= 12 or kind > 19:
        return text.encode()
    if kind == 13:
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if kind == 14:
        return text.encode()[: draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == 15:
        depth = draw(st.sampled_from([33, 1000, 100_000]))
        return b"[" * depth + b"]" * depth if draw(st.booleans()) else b'{"a":' * depth + b"1" + b"}" * depth
    if kind == 16:
        return draw(st.binary(max_size=40))
    if kind == 17:
        return b'{"userName": ' + b"9" * draw(st.sampled_from([30, 5000])) + b"}"
    if kind == 18:
        return b""
    return b" " * (1_048_576 - len(text) + 1) + text.encode()  # just over the body limit


# -- requests ----------------------------------------------------------------------------------------------

_ID_SAMPLES = st.sampled_from(
    ["1", "2", "3", "4", "0", "99999999999999999999999", "²", "-1", "1.0", " 1", "%0a", "%00", "%20",
     "%C2%B2", "%ff", "%", "a/b", ".search", "%2e%2e"]
)  # fmt: skip
ids = st.one_of(
    _ID_SAMPLES, _ID_SAMPLES, texts.map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe=""))
)


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k.encode('utf-8', 'surrogatepass'), safe='[]')}="
                    f"{quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in pairs)  # fmt: skip


query_values = st.one_of(texts, st.sampled_from([str(n) for n in BIG_INTS[:-1]]), filters())
scim_queries = st.lists(
    st.tuples(
        st.sampled_from(["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "x"]),
        query_values,
    ),
    max_size=3,
).map(_query)
user_api_queries = st.lists(
    st.tuples(st.sampled_from(["codes[0]", "codes[]", "ids[0]", "ids[]", "codes", "size", "offset", "x"]),
              st.one_of(query_values, st.sampled_from(["alice@example.com", "1", "²", "0"]))),
    max_size=4,
).map(_query)  # fmt: skip


OTHER_SCIM_PATHS = ["/", "/Groups", "/Groups/1", "/Schemas", "/ResourceTypes/User", "/Bulk",
                    "/ServiceProviderConfig", "/Me", "/Users/1/x", "/.search", ""]  # fmt: skip


OTHER_SCIM_PATHS = ["/", "/Groups", "/Groups/1", "/Schemas", "/ResourceTypes/User", "/Bulk",
                    "/ServiceProviderConfig", "/Me", "/Users/1/x", "/.search", ""]  # fmt: skip


@st.composite
def scim_request(draw: st.DrawFn) -> tuple[bytes, str, bytes]:
    """(method, path and query, body) on SCIM."""
    resource = f"/Users/{draw(ids)}"
    choice = draw(st.integers(0, 11))
    if choice <= 1:
        return b"GET", f"{BASE}/Users?{draw(scim_queries)}", b""
    if choice == 2:
        return b"POST", f"{BASE}/Users", draw(user_bodies.flatmap(encoded))
    if choice == 3:
        return b"PUT", BASE + resource, draw(user_bodies.flatmap(encoded))
    if choice <= 5:
        return b"PATCH", BASE + resource, draw(patch_bodies.flatmap(encoded))
    if choice == 6:
        return b"POST", f"{BASE}/Users/.search", draw(search_bodies.flatmap(encoded))
    if choice == 7:
        return draw(st.sampled_from([b"GET", b"DELETE"])), BASE + resource, b""
    other = draw(st.sampled_from(OTHER_SCIM_PATHS))
    method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"HEAD", b"OPTIONS", b"X"]))
    return (
        method,
        BASE + other + ("?" + draw(scim_queries) if draw(st.booleans()) else ""),
        draw(json_values.flatmap(encoded)),
    )


ADMIN_CALLS = {
    "/_emulator/tokens": (b"POST", token_bodies),
    "/_emulator/tokens/lookup": (b"POST", st.fixed_dictionaries({"token": _odd(texts)})),
    "/_emulator/propagation": (b"PUT", st.fixed_dictionaries({"enabled": _odd(st.booleans())})),
    "/_emulator/ip-allowlist": (
        b"PUT",
        st.fixed_dictionaries(
            {
                "addresses": _odd(
                    st.lists(st.one_of(st.sampled_from(["127.0.0.1", "10.0.0.0/8", "::1"]), texts))
                )
            }
        ),
    ),
    "/_emulator/clock": (
        b"PUT",
        st.fixed_dictionaries({"offset_seconds": _odd(st.sampled_from([0, 86400 * 40, 1e300, -1e9, 4e9]))}),
    ),
    "/_emulator/rules": (b"PUT", rule_changes),
    "/_emulator/defects": (b"PUT", defect_changes),
}


@st.composite
def admin_request(draw: st.DrawFn) -> tuple[bytes, str, bytes]:
    """(method, path and query, body) on /_emulator or the User API copy."""
    choice = draw(st.integers(0, 9))
    if choice <= 1:
        return b"GET", f"/v1/users.json?{draw(user_api_queries)}", b""
    if choice == 2:
        users = draw(_odd(st.lists(user_api_users, min_size=0, max_size=3)))
        return b"POST", "/v1/users.json", draw(encoded({"users": users}))
    if choice == 3:
        codes = draw(_odd(st.lists(_odd(logins), max_size=3)))
        return b"DELETE", "/v1/users.json", draw(encoded({"codes": codes}))
    if choice == 4:
        token = draw(st.one_of(st.just("{token}"), ids))  # {token}: the engine puts a real token id here
        method = draw(st.sampled_from([b"PATCH", b"PATCH", b"DELETE", b"GET"]))
        return method, f"/_emulator/tokens/{token}", draw(token_changes.flatmap(encoded))
    path = draw(st.sampled_from(sorted(ADMIN_CALLS)))
    method, bodies = ADMIN_CALLS[path]
    if rarely(draw, 5):
        method = draw(st.sampled_from([b"GET", b"DELETE", b"PATCH", b"POST"]))
    return method, path, draw(bodies.flatmap(encoded))


def _header_value(draw: st.DrawFn, valid: bytes) -> bytes | None:
    """Mostly the valid credential; sometimes none, or an odd one."""
    kind = draw(st.integers(0, 19))
    if kind <= 15:
        return valid
    if kind == 16:
        return None
    return draw(
        st.sampled_from([b"", b"\xff", b"\x01", valid + b"\xff", valid + b" x", b"Bearer", b"x" * 300])
    )


ODD_HOSTS = [b"", b"a b", b"\xff", b"[::1]:80", b"x" * 300, b"host:99999", b'h"ost', b"127.0.0.1:1, b"]
EXTRA_HEADERS = [
    (b"Accept", b"application/scim+json"), (b"Accept", b"text/html"), (b"If-Match", b'W/"1"'),
    (b"If-Match", b'W/"\xc2\xb2"'), (b"If-None-Match", b"*"), (b"X-Forwarded-For", b"10.0.0.1"),
    (b"X-Emulator-Peer", b"10.0.0.1"), (b"X-Junk", b"\x80\x81"), (b"Host", b"second.example"),
    (b"Expect", b"100-continue"), (b"Content-Encoding", b"gzip"), (b"Accept-Charset", b"latin-1"),
]  # fmt: skip
CONTENT_TYPES = [b"application/scim+json", b"application/json; charset=utf-8", b"text/plain", None,
                 b"application/scim+json; x=\xff", b"*/*"]  # fmt: skip


@st.composite
def hostile_requests(draw: st.DrawFn, port: int) -> HostileRequest:
    """One request; each of its parts is odd now and then, so most requests get past the HTTP layer and
    the credentials into the service."""
    method, target, body = draw(st.one_of(scim_request(), admin_request()))
    if rarely(draw, 25):  # odd bytes straight in the request line
        target += draw(st.sampled_from(["\xff", " ", "\x00", "#frag", "\x7f", "%", "?&&=="]))
    host = draw(st.sampled_from(ODD_HOSTS)) if rarely(draw, 20) else f"127.0.0.1:{port}".encode()
    headers = [(b"Host", host)] if host or draw(st.booleans()) else []
    for name, valid in ((b"Authorization", BEARER), (b"X-Cybozu-Authorization", ADMIN)):
        value = _header_value(draw, valid)
        if value is not None:
            headers.append((name, value))
    content_type = draw(st.sampled_from(CONTENT_TYPES)) if rarely(draw, 4) else CONTENT_TYPES[0]
    if content_type is not None:
        headers.append((b"Content-Type", content_type))
    if rarely(draw, 5):
        headers += draw(st.lists(st.sampled_from(EXTRA_HEADERS), min_size=1, max_size=2))
    framing = draw(st.sampled_from(["chunked", "none", "cut"])) if rarely(draw, 6) else "length"
    if framing == "cut" and not body:
        framing = "length"
    return HostileRequest(
        method=method,
        target=target.encode("utf-8", "surrogatepass"),
        headers=tuple(headers),
        body=body,
        framing=framing,
    )
