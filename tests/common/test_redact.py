"""Redactor rules: credential headers, secrets in every encoding, credential members of JSON bodies."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from scim_harness.common.redact import REDACTED, Redactor

SECRET = "s3cr3t/Tok+en="
PASSWORD = "p@ss word"


def test_credential_headers_lose_their_value_whatever_it_is() -> None:
    headers = Redactor().headers(
        {
            "Authorization": "Bearer anything",
            "proxy-authorization": "Basic x",
            "X-Cybozu-Authorization": "QWRtaW46cHc=",
            "Cookie": "session=1",
            "Set-Cookie": "session=2",
            "Content-Type": "application/scim+json",
        }
    )
    assert headers == {
        "Authorization": REDACTED,
        "proxy-authorization": REDACTED,
        "X-Cybozu-Authorization": REDACTED,
        "Cookie": REDACTED,
        "Set-Cookie": REDACTED,
        "Content-Type": "application/scim+json",
    }


def test_repeated_headers_are_joined_and_secrets_inside_other_headers_redacted() -> None:
    headers = Redactor([SECRET]).headers([("X-Echo", f"a {SECRET}"), ("X-Echo", "b")])
    assert headers == {"X-Echo": f"a {REDACTED}, b"}


def test_secret_is_redacted_in_its_encoded_forms() -> None:
    redactor = Redactor([SECRET])
    encoded = base64.b64encode(SECRET.encode()).decode()
    text = f"raw {SECRET} url {quote(SECRET, safe='')} b64 {encoded} json {json.dumps(SECRET)}"
    redacted = redactor.text(text)
    assert SECRET not in redacted
    assert quote(SECRET, safe="") not in redacted
    assert encoded not in redacted
    assert redacted.count(REDACTED) == 4


def test_basic_style_credential_is_caught_without_knowing_the_login() -> None:
    pair = base64.b64encode(f"Administrator:{PASSWORD}".encode()).decode()
    assert (
        Redactor([PASSWORD]).text(f"X-Cybozu-Authorization: {pair}") == f"X-Cybozu-Authorization: {REDACTED}"
    )


def test_ordinary_text_is_untouched() -> None:
    text = '{"id": "2819c223-7f76-453a-919d-413861904646", "userName": "a@contoso.com"}'
    assert Redactor([SECRET, PASSWORD]).text(text) == text
    assert Redactor().text(text) == text


def test_secret_added_later_is_redacted_from_then_on() -> None:
    redactor = Redactor()
    assert redactor.text(SECRET) == SECRET
    redactor.add(SECRET)
    redactor.add("")
    assert redactor.text(SECRET) == REDACTED
    assert redactor.secrets == frozenset({SECRET})


def test_json_members_named_like_credentials_are_hidden_but_lists_of_them_kept() -> None:
    answer = {
        "id": "t1",
        "token": "never-registered-token",
        "secret_token": "x",
        "password": "y",
        "tokens": [{"id": "t1", "notes": "ci", "enabled": True}],
        "notes": f"made with {SECRET}",
    }
    assert Redactor([SECRET]).json(answer) == {
        "id": "t1",
        "token": REDACTED,
        "secret_token": REDACTED,
        "password": REDACTED,
        "tokens": [{"id": "t1", "notes": "ci", "enabled": True}],
        "notes": f"made with {REDACTED}",
    }


def test_body_redacts_json_by_key_and_keeps_unchanged_text_as_is() -> None:
    redactor = Redactor()
    assert json.loads(redactor.body('{"token": "abc", "id": 1}')) == {"token": REDACTED, "id": 1}
    untouched = '{\n  "id": 1\n}'
    assert redactor.body(untouched) == untouched
    assert redactor.body("not json {") == "not json {"


def test_a_short_secret_is_redacted_as_a_word_without_garbling_other_words() -> None:
    redactor = Redactor(["x"])
    text = redactor.text("WebExceptionProtocolError with token x, or ?token=x")
    assert text == "WebExceptionProtocolError with token [REDACTED], or ?token=[REDACTED]"


# ---- the shortcuts of Redactor.text (length floors) change no result -------------------------------------

_ALPHABET = 'abcAB0129+/=_-:@ %"\\ '


def _slow_text(redactor: Redactor, value: str) -> str:
    """Redactor.text without its length shortcuts: every base64 word decoded, every value searched."""
    from scim_harness.common import redact

    if redactor._pattern is None or not value:
        return value
    value = redactor._pattern.sub(REDACTED, value)
    return redact._BASE64_WORD.sub(
        lambda m: REDACTED if redact._decodes_to_secret(m.group(), redactor.secrets) else m.group(), value
    )


@given(
    secrets=st.lists(st.text(_ALPHABET, min_size=1, max_size=30), min_size=1, max_size=3),
    prefix=st.text(_ALPHABET, max_size=20),
    suffix=st.text(_ALPHABET, max_size=20),
    encode=st.sampled_from(["plain", "base64", "basic", "none"]),
)
@settings(max_examples=300, deadline=None)
def test_the_length_shortcuts_give_the_same_text_as_checking_everything(
    secrets: list[str], prefix: str, suffix: str, encode: str
) -> None:
    redactor = Redactor(secrets)
    secret = secrets[0]
    inner = {
        "plain": secret,
        "base64": base64.b64encode(secret.encode()).decode(),
        "basic": base64.b64encode(f"admin:{secret}".encode()).decode(),
        "none": "",
    }[encode]
    value = prefix + inner + suffix
    assert redactor.text(value) == _slow_text(redactor, value)


def test_a_value_shorter_than_any_secret_is_returned_as_it_is_and_a_long_one_redacted() -> None:
    long_secret = "tok-" + "a" * 39
    redactor = Redactor([long_secret])
    assert redactor.text("Alice") == "Alice"
    assert redactor.text(f"Bearer {long_secret}") == f"Bearer {REDACTED}"
    assert REDACTED in redactor.text(base64.b64encode(f"admin:{long_secret}".encode()).decode())
