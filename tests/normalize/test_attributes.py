"""Address, phone, e-mail and website keys (pure), on values written as the lists write them."""

from __future__ import annotations

import pytest

from tradescreen.normalize.addresses import address_tokens, same_address, specificity
from tradescreen.normalize.contacts import is_free_mail, read_email, read_website
from tradescreen.normalize.phones import read_phone, same_number


@pytest.mark.parametrize("listed, countries, other, other_countries", [
    ("009613679153", (), "+961 3 679 153", ()),  # OFAC SDN 11346, 00-prefixed
    ("03889402", ("lb",), "+961 3 889 402", ()),  # national, country from the entry
    ("+73412504747", (), "8 (3412) 50-47-47", ("ru",)),  # Kalashnikov, Russian trunk 8
    ("982188526302", (), "+98 21 8852 6302", ()),  # CSL: international without its "+"
])
def test_phone_forms_are_one_number(listed, countries, other, other_countries):
    a, b = read_phone(listed, countries), read_phone(other, other_countries)
    assert a is not None and b is not None and same_number(a, b)


def test_same_digits_in_another_country_are_another_number():
    a, b = read_phone("+961 3 679 153"), read_phone("+33 3 679 153")
    assert a is not None and b is not None and not same_number(a, b)
    assert read_phone("12-34") is None


def test_address_renderings_and_specificity():
    listed = "УЛ. ВОРОВСКОГО Д.130, Г. ИЖЕВСК, УДМУРТСКАЯ РЕСПУБЛИКА, 426063"
    # Translated: rigour scores it below 0.75, the house number and postcode agree.
    assert same_address("130 Vorovskogo Street, Izhevsk 426063, Russia", listed)
    assert not same_address("131 Vorovskogo Street, Izhevsk 426063, Russia", listed)
    assert not same_address("12 Main Street, Springfield", "14 Main Street, Springfield")
    assert specificity(address_tokens(listed)) is None
    assert specificity(address_tokens("Dubai, UAE")) == "a country or region only"
    assert specificity(address_tokens("Business Centre, Dubai")) is not None


def test_email_and_website_keys():
    assert read_email("Email Address: Info@Rosneft.ru.") == "info@rosneft.ru"
    assert read_website("www.alturath.org. Revival of Islamic Heritage Society") == "alturath.org"
    assert read_website("https://scan.aero/index-en.html") == "scan.aero"
    assert read_website("WWW.BNTD.BY") == "bntd.by"
    assert all(map(is_free_mail, ("gmail.com", "yandex.ru", "mail.ru", "163.com")))
    assert not is_free_mail("rosneft.ru")
