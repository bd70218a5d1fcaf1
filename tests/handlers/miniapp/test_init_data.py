"""initData is trusted only as Telegram documents it: signature, then age."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.miniapp.init_data import InitDataRejected, Rejection, verify

TOKEN = "123456:test-token-abcdefghijklmnopqrst"
NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
USER = {"id": 4242, "first_name": "Rasoa", "language_code": "mg"}


def signed_fields(fields: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    """Sign fields the way Telegram's documentation spells it out, step by step."""
    lines = sorted(f"{key}={value}" for key, value in fields.items())
    secret = hmac.new(key=b"WebAppData", msg=token.encode("utf-8"),
                      digestmod=hashlib.sha256).digest()
    digest = hmac.new(key=secret, msg="\n".join(lines).encode("utf-8"),
                      digestmod=hashlib.sha256).hexdigest()
    return {**fields, "hash": digest}


def fields_at(when: datetime, **extra: str) -> dict[str, str]:
    return {"query_id": "AAF-q", "user": json.dumps(USER, separators=(",", ":")),
            "auth_date": str(int(when.timestamp())), "signature": "c2lnbg", **extra}


def encode(fields: dict[str, str]) -> str:
    return urlencode(fields, quote_via=quote)


def test_data_signed_with_the_token_names_the_user() -> None:
    signed = signed_fields(fields_at(NOW - timedelta(minutes=5)))
    user = verify(encode(signed), TOKEN, NOW, HOUR)
    assert (user.user_id, user.language_code, user.query_id) == (4242, "mg", "AAF-q")
    assert user.auth_date == NOW - timedelta(minutes=5)
    assert user.hash == signed["hash"]


def test_a_known_vector() -> None:
    """A vector computed with openssl, outside Python: the check is Telegram's, not ours::

        printf %s 1:abc | openssl dgst -sha256 -mac HMAC -macopt key:WebAppData
        printf 'auth_date=…\nquery_id=Q\nuser=…' | openssl dgst -sha256 -mac HMAC \
            -macopt hexkey:<the secret above>
    """
    raw = encode({"auth_date": "1700000000", "query_id": "Q",
                  "user": '{"id":1,"first_name":"A"}',
                  "hash": "c0161d8a55bec983647f4711c3ac09698cbdbd8e735fe2a40142f46fe8de2981"})
    user = verify(raw, "1:abc", datetime.fromtimestamp(1700000100, UTC), HOUR)
    assert (user.user_id, user.language_code, user.query_id) == (1, None, "Q")


@pytest.mark.parametrize("raw", ["", "hash=", "user=%7B%7D&auth_date=1", "%%%", "a=1&a=2"])
def test_missing_or_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(InitDataRejected) as refused:
        verify(raw, TOKEN, NOW, HOUR)
    assert refused.value.reason in (Rejection.MISSING, Rejection.FORGED)


def test_another_bots_token_does_not_verify() -> None:
    raw = encode(signed_fields(fields_at(NOW), token="999:other-token-abcdefghijklmnop"))
    with pytest.raises(InitDataRejected) as refused:
        verify(raw, TOKEN, NOW, HOUR)
    assert refused.value.reason is Rejection.FORGED


@pytest.mark.parametrize(("signed_at", "reason"), [
    (NOW - HOUR - timedelta(seconds=1), Rejection.EXPIRED),
    (NOW + timedelta(minutes=2), Rejection.EXPIRED),
])
def test_old_or_future_data_is_refused(signed_at: datetime, reason: Rejection) -> None:
    with pytest.raises(InitDataRejected) as refused:
        verify(encode(signed_fields(fields_at(signed_at))), TOKEN, NOW, HOUR)
    assert refused.value.reason is reason


def test_data_signed_within_the_age_is_accepted_at_its_edge() -> None:
    assert verify(encode(signed_fields(fields_at(NOW - HOUR))), TOKEN, NOW, HOUR).user_id == 4242
    assert verify(encode(signed_fields(fields_at(NOW + timedelta(seconds=50)))), TOKEN, NOW,
                  HOUR).user_id == 4242


FIELDS = st.sampled_from(["query_id", "user", "auth_date", "signature", "hash"])


@given(FIELDS, st.text(min_size=1, max_size=20))
def test_any_changed_field_or_hash_fails(field: str, noise: str) -> None:
    fields = signed_fields(fields_at(NOW))
    changed = {**fields, field: fields[field] + noise}
    with pytest.raises(InitDataRejected) as refused:
        verify(encode(changed), TOKEN, NOW, HOUR)
    assert refused.value.reason is Rejection.FORGED


@given(FIELDS)
def test_any_dropped_field_fails(field: str) -> None:
    fields = signed_fields(fields_at(NOW))
    del fields[field]
    with pytest.raises(InitDataRejected):
        verify(encode(fields), TOKEN, NOW, HOUR)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10),
       st.text(max_size=20))
def test_an_added_field_fails(key: str, value: str) -> None:
    fields = signed_fields(fields_at(NOW))
    if key in fields:
        return
    with pytest.raises(InitDataRejected):
        verify(encode({**fields, key: value}), TOKEN, NOW, HOUR)
