"""Name pools for the synthetic ledger: companies and people that sound like their country."""

from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    weight: int
    surnames: tuple[str, ...]
    given: tuple[str, ...]
    trades: tuple[str, ...]
    forms: tuple[str, ...]
    pattern: str = "{surname} {trade} {form}"


COUNTRIES = (
    Country(
        "DE",
        25,
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Koch"),
        ("Anna", "Jonas", "Lena", "Felix", "Katrin", "Stefan", "Jürgen", "Sabine"),
        ("Maschinenbau", "Logistik", "Elektrotechnik", "Bau", "Verpackung", "Metallwaren"),
        ("GmbH", "GmbH & Co. KG", "AG", "e.K."),
    ),
    Country(
        "FR",
        15,
        ("Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Girard", "Roux"),
        ("Camille", "Louis", "Chloé", "Hugo", "Élodie", "Mathieu", "Inès", "Julien"),
        ("Logistique", "Bâtiment", "Emballages", "Industrie", "Distribution", "Électricité"),
        ("SARL", "SAS", "SA"),
        "{trade} {surname} {form}",
    ),
    Country(
        "ES",
        12,
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
        ("Lucía", "Javier", "Carmen", "Alejandro", "Marta", "Pablo", "Elena", "Sergio"),
        ("Distribuciones", "Construcciones", "Suministros", "Transportes", "Industrias"),
        ("S.L.", "S.A."),
        "{trade} {surname} {form}",
    ),
    Country(
        "GB",
        15,
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas"),
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack", "Sophie"),
        ("Engineering", "Supplies", "Logistics", "Builders", "Packaging", "Electrical"),
        ("Ltd", "Ltd", "PLC", "& Sons Ltd"),
    ),
    Country(
        "TR",
        10,
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın"),
        ("Ayşe", "Mehmet", "Elif", "Mustafa", "Zeynep", "Emre", "Selin", "Burak"),
        ("Tekstil", "İnşaat", "Lojistik", "Makina", "Gıda", "Ambalaj"),
        ("A.Ş.", "Ltd. Şti."),
    ),
    Country(
        "KR",
        10,
        ("김", "이", "박", "최", "정", "강", "조", "윤"),
        ("민준", "서연", "지호", "하은", "도윤", "수아", "예준", "지우"),
        ("한빛전자", "대성물산", "미래산업", "동양기계", "서울유통", "태양건설"),
        ("주식회사", "(주)"),
        "{trade} {form}",
    ),
    Country(
        "US",
        13,
        ("Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson", "Clark", "Lewis"),
        ("James", "Olivia", "Michael", "Emma", "David", "Ava", "Daniel", "Mia"),
        ("Supply", "Industries", "Logistics", "Manufacturing", "Builders", "Electric"),
        ("Inc.", "LLC", "Corp."),
    ),
)
_BY_CODE = {c.code: c for c in COUNTRIES}


def company_name(rng: random.Random, country: str) -> str:
    c = _BY_CODE[country]
    name = c.pattern.format(
        surname=rng.choice(c.surnames), trade=rng.choice(c.trades), form=rng.choice(c.forms)
    )
    return f"{name} #{rng.randint(1, 999)}" if rng.random() < 0.5 else name


def person_name(rng: random.Random, country: str) -> str:
    c = _BY_CODE[country]
    if country == "KR":
        return rng.choice(c.surnames) + rng.choice(c.given)
    return f"{rng.choice(c.given)} {rng.choice(c.surnames)}"


_ROMAN = {
    "김": "kim",
    "이": "lee",
    "박": "park",
    "최": "choi",
    "정": "jung",
    "강": "kang",
    "조": "cho",
    "윤": "yoon",
    "ı": "i",
    "ş": "s",
    "ğ": "g",
    "ß": "ss",
}


def slug(text: str) -> str:
    """A lower-case ASCII form for email addresses and domains."""
    out = "".join(_ROMAN.get(ch, ch) for ch in text.lower())
    out = unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in out).split()
    return "-".join(words) or f"x{zlib.crc32(text.encode()) % 100000}"
