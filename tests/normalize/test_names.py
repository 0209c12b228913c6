from hypothesis import given
from hypothesis import strategies as st

from tradescreen.normalize.names import name_form
from tradescreen.normalize.phonetic import skeleton
from tradescreen.normalize.text import script_of, tokens


def test_cyrillic_legal_form_and_quotes():
    form = name_form("АО ОЭЗ ППТ «Алабуга»", "Company")
    assert form.tokens == ("oez", "ppt", "alabuga")
    assert form.legal_forms == ("jsc",)
    assert form.script == "Cyrillic"


def test_legal_form_phrases_are_canonical():
    assert name_form("ALBATROS OOO", "Company").legal_forms == ("llc",)
    assert name_form("Albatros Limited Liability Company", "Company").legal_forms == ("llc",)
    assert name_form("Sherkat-e Sahami Khass Qods", "Company").tokens == ("qods",)
    assert name_form("Lloyds Banking Group Public Limited Company", "Company").legal_forms == (
        "plc",
    )
    assert name_form("Emirates Trading FZE", "Company").legal_forms == ("fze",)


def test_legal_forms_kept_when_nothing_else_remains():
    assert name_form("The Company", "Company").tokens


def test_people_lose_honorifics_not_names():
    assert name_form("Dr. Rami Makhlouf", "Person").tokens == ("rami", "makhlouf")
    assert name_form("Sheikh", "Person").tokens == ("sheikh",)


def test_transliteration_of_scripts():
    assert tokens("Владимир Путин") == ("vladimir", "putin")
    assert tokens("صنایع هوایی قدس")  # Persian script reaches Latin tokens
    assert tokens("習近平") == ("xi", "jin", "ping")
    assert tokens("Aleksandar Vučić") == ("aleksandar", "vucic")
    assert tokens("O'Brien") == ("obrien",)
    assert script_of("صنایع") == "Arabic"


def test_skeleton_merges_romanisations():
    assert skeleton("muhammad") == skeleton("mohammed") == skeleton("mokhammad")
    assert skeleton("qods") == skeleton("quds")
    assert skeleton("lavrov") == skeleton("lavroff")
    assert skeleton("putin") != skeleton("pushkin")


@given(st.text(max_size=60))
def test_name_form_never_fails_and_is_ascii(text):
    form = name_form(text, "Person")
    assert all(t.isascii() and t.isalnum() for t in form.tokens)
