"""Generated tenants of any size, with en_US and ja_JP names from Faker.

Faker is slow per call, so it only fills small name pools; users are combinations of pool entries picked by
a seeded random generator. 100,000 users take a couple of seconds, and the same seed gives the same tenant.
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from typing import Literal

from faker import Faker

from scim_harness.simulator.clock import Clock
from scim_harness.simulator.tenant import Tenant

Locale = Literal["en_US", "ja_JP", "mix"]
LOCALES = ("en_US", "ja_JP", "mix")
_POOL_SIZE = 400
_DEPARTMENTS = (
    "Sales",
    "Marketing",
    "Engineering",
    "Finance",
    "Human Resources",
    "Support",
    "Legal",
    "Operations",
)
_DEPARTMENTS_JA = (
    "営業部",
    "マーケティング部",
    "開発部",
    "経理部",
    "人事部",
    "サポート部",
    "法務部",
    "総務部",
)
_TITLES = (
    "Manager",
    "Engineer",
    "Analyst",
    "Specialist",
    "Director",
    "Coordinator",
    "Consultant",
    "Associate",
)
_TITLES_JA = ("部長", "課長", "主任", "エンジニア", "アナリスト", "担当", "マネージャー", "スペシャリスト")


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def _pools(locale: str, seed: int | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(given names, surnames) as (display form, ASCII slug of the latin form) pairs."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    if locale == "ja_JP":
        given = [(kanji, roman) for kanji, _, roman in (fake.first_name_pair() for _ in range(_POOL_SIZE))]
        surnames = [(kanji, roman) for kanji, _, roman in (fake.last_name_pair() for _ in range(_POOL_SIZE))]
    else:
        given = [(name, name) for name in (fake.first_name() for _ in range(_POOL_SIZE))]
        surnames = [(name, name) for name in (fake.last_name() for _ in range(_POOL_SIZE))]
    given = [(name, _ascii_slug(latin) or "user") for name, latin in given]
    surnames = [(name, _ascii_slug(latin) or "user") for name, latin in surnames]
    # Duplicates in a pool only skew the distribution; drop them to keep combinations varied.
    return list(dict.fromkeys(given)), list(dict.fromkeys(surnames))


def generate_tenant(
    n: int,
    clock: Clock,
    *,
    locale: Locale = "en_US",
    seed: int | None = None,
    assigned: bool = True,
    domain: str = "contoso.example",
    tenant: Tenant | None = None,
) -> Tenant:
    """A tenant of `n` users with unique userPrincipalName and mailNickname (added to `tenant` if given).

    `locale="mix"` alternates ja_JP and en_US users at random (about half each). Japanese users carry kanji
    names (surname first in displayName, as Japanese directories write them) and romanized UPNs.
    """
    if n < 0:
        raise ValueError("the number of users cannot be negative")
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}, not {locale!r}")
    rng = random.Random(seed)
    tenant = tenant if tenant is not None else Tenant(clock)
    wanted = ("en_US", "ja_JP") if locale == "mix" else (locale,)
    pools = {name: _pools(name, None if seed is None else seed + index) for index, name in enumerate(wanted)}
    taken: dict[str, int] = {}
    for existing in tenant.users.values():
        upn = existing.user_principal_name
        if upn:
            taken[upn.split("@")[0].lower()] = 1
    first_number = len(tenant.users) + 1
    for index in range(n):
        language = wanted[rng.randrange(len(wanted))] if locale == "mix" else wanted[0]
        given_pool, surname_pool = pools[language]
        given, given_slug = given_pool[rng.randrange(len(given_pool))]
        surname, surname_slug = surname_pool[rng.randrange(len(surname_pool))]
        base = f"{given_slug}.{surname_slug}"
        count = taken.get(base, 0) + 1
        taken[base] = count
        nickname = base if count == 1 else f"{base}{count}"
        while count > 1 and nickname in taken:
            count += 1
            nickname = f"{base}{count}"
        taken[nickname] = max(taken.get(nickname, 0), 1)
        japanese = language == "ja_JP"
        department = rng.randrange(len(_DEPARTMENTS))
        title = rng.randrange(len(_TITLES))
        upn = f"{nickname}@{domain}"
        object_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        while object_id in tenant.users:  # the same seed used twice on one tenant
            object_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        tenant.add_user(
            id=object_id,
            assigned=assigned,
            userPrincipalName=upn,
            mail=upn,
            mailNickname=nickname,
            displayName=f"{surname} {given}" if japanese else f"{given} {surname}",
            givenName=given,
            surname=surname,
            accountEnabled=True,
            department=(_DEPARTMENTS_JA if japanese else _DEPARTMENTS)[department],
            jobTitle=(_TITLES_JA if japanese else _TITLES)[title],
            employeeId=f"E{first_number + index:07d}",
            preferredLanguage="ja-JP" if japanese else "en-US",
            usageLocation="JP" if japanese else "US",
        )
    return tenant
