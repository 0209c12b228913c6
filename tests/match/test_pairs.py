import csv

from hypothesis import given, settings
from hypothesis import strategies as st

from tradescreen.match.names import score_names
from tradescreen.match.pairs import compare_names

names = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)  # the first call loads rigour's tables
@given(names, names, st.sampled_from(["Person", "Company", "Vessel", "LegalEntity"]))
def test_score_is_a_probability(a, b, schema):
    score, verdict = compare_names(schema, a, b)
    assert 0.0 <= score <= 1.0
    assert verdict == (score >= 0.5)


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[A-Z][a-z]{3,9} [A-Z][a-z]{3,9}( [A-Z][a-z]{3,9})?", fullmatch=True))
def test_identical_names_match(name):
    assert compare_names("Person", name, name)[1]


def test_cross_script_and_legal_forms():
    assert compare_names("Company", "АО ОЭЗ ППТ «Алабуга»", "AO OEZ PPT ALABUGA")[1]
    assert compare_names("Company", "Qods Aviation Industry", "QODS AVIATION INDUSTRIES")[1]
    assert compare_names("Company", "Albatros LLC", "ALBATROS OOO")[1]
    assert compare_names("Person", "Volodymyr Zelenskyy", "Володимир Зеленський")[1]


def test_near_misses_are_not_matches():
    assert not compare_names("Company", "Alabama Power Company", "ALABUGA DEVELOPMENT OOO")[1]
    assert (
        compare_names("Company", "Deutsche Bank AG", "Deutsche Bank GmbH")[0]
        < compare_names("Company", "Deutsche Bank AG", "Deutsche Bank AG")[0]
    )
    assert not compare_names("Person", "Roger Federman", "Roger Federer")[1]
    assert not compare_names("Vessel", "YARD NO. 455", "YARD NO. 9918779")[1]


def test_explanation_names_the_aligned_tokens():
    result = score_names("Person", "Vladimr Puttin", "PUTIN, Vladimir Vladimirovich")
    rows = {f.feature: f for f in result.features}
    assert "vladimr~vladimir" in rows["name_dice"].detail
    assert rows["extra_tokens"].weight < 0  # the patronymic the query lacks counts against
    assert abs(sum(f.weight for f in result.features) - result.logit) < 1e-9


def test_dev_pairs_f1_floor(data_dir):
    """A regression guard on the labelled dev pairs (the model is fitted on them in part)."""
    tp = fp = fn = 0
    with (data_dir / "bench" / "name_pairs_dev.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            _, verdict = compare_names(row["schema"], row["name1"], row["name2"])
            truth = row["is_match"] == "true"
            tp += verdict and truth
            fp += verdict and not truth
            fn += truth and not verdict
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.85


def test_incompatible_legal_forms_are_different_companies():
    """A GmbH and an AG of one name are two companies, in whatever language or writing the
    forms come; the same class of form in another language is the same company."""
    assert not compare_names("Company", "Novatek GmbH", "Novatek AG")[1]
    assert not compare_names("Company", "Novatek OOO", "Novatek Aktiengesellschaft")[1]
    assert compare_names("Company", "NovatekGmbH", "Novatek o.o.o.")[1]
    assert compare_names(
        "Company", "Novatek Gesellschaft mit beschränkter Haftung", "ООО Новатэк"
    )[1]


def test_numbered_series_and_number_words():
    """Another number of a series stays below `match` (0.7) in screening; the same number
    written as digits, words, ordinals or Roman numerals is the same token."""
    for a, b in (("Alpha Fund III", "Alpha Fund IV"), ("Alpha Plant No. 2", "Alpha Plant No. 3"),
                 ("Bank Mellat Fund V", "Bank Mellat Fund VI")):
        assert compare_names("Organization", a, b)[0] < 0.7, (a, b)
    assert compare_names("Organization", "Seventh Brigade", "7th Brigade")[0] >= 0.9
    assert compare_names("Organization", "Brigade Forty 4", "Brigade 44")[0] >= 0.9
    assert compare_names("Organization", "Alpha Fund III", "Alpha Fund 3")[0] >= 0.9


def test_surnames_that_are_other_real_names_do_not_match_on_name_alone():
    """Rahimi and Rahiqi, Safari and Safavi are both real names (rigour's name symbols and
    the lists say so); Mohammed / Muhammad and Petrov / Petrova are spellings of one."""
    for a, b in (("Amir Rahimi", "Amir Rahiqi"), ("Morteza Safari", "Morteza Safavi"),
                 ("Nayif Shindakh Thamir Ghalib", "Nayif Shindakh Thamir Gharib")):
        assert compare_names("Person", a, b)[0] < 0.7, (a, b)
    assert compare_names("Person", "Mohammed Rahimi", "Muhammad Rahimi")[0] >= 0.7
    assert compare_names("Person", "Ivan Petrov", "Ivan Petrova")[0] >= 0.7
    assert compare_names("Person", "Anjem Choudary", "Anjem Chaudhry")[0] >= 0.7


def test_cjk_names_sharing_romanised_syllables():
    """Different characters read alike are different names (高石 / 高市 are both "gao shi");
    a traditional and a simplified writing of one name are one name."""
    assert not compare_names("Person", "高石早苗", "高市早苗")[1]
    assert compare_names("Person", "习近平", "習近平")[1]
    assert compare_names("Person", "习近平", "Xi Jinping")[1]
    assert not compare_names("Person", "习近平", "Xi Mingze")[1]
    assert not compare_names("Person", "Wang Wei", "Wang Lei")[1]


def test_foreign_names_written_in_katakana_or_hangul_match_their_latin_originals():
    """Read through rigour's name symbols (the tagger knows ウラジーミル and 블라디미르 as
    Vladimir), not through a romanisation of the sounds ("urajimiru puchin")."""
    assert compare_names("Person", "ウラジーミル・プーチン", "Vladimir Putin")[1]
    assert compare_names("Person", "블라디미르 푸틴", "Vladimir Putin")[1]
    assert not compare_names("Person", "ウラジーミル・プーチン", "Vladimir Potanin")[1]
    # A native Korean name is read the way the lists romanise Korean, not half through a
    # Chinese surname symbol.
    assert not compare_names("Person", "황은정", "Junzheng Wang")[1]
    assert compare_names("Person", "황은정", "Hwang Eun-jeong")[1]


def test_korean_names_in_hangul_match_their_listed_romanisation():
    """North Korean officials on the UN and OFAC lists (KIM Jong Un, RI Pyong Chol, CHOE Ryong
    Hae) written in Hangul: each syllable read as the lists spell it."""
    for hangul, listed in (("김정은", "KIM Jong Un"), ("리병철", "RI Pyong Chol"),
                           ("최룡해", "CHOE Ryong Hae"), ("김여정", "Kim Yo-jong")):
        assert compare_names("Person", hangul, listed)[1], (hangul, listed)
    assert not compare_names("Person", "김정은", "Kim Jong Il")[1]
    # Korean names share few syllables: another syllable is another name (Jong / Yong,
    # Min / Man), a family name that is elsewhere a particle (An) still counts.
    assert not compare_names("Person", "김정수", "Kim Yong Su")[1]
    assert not compare_names("Person", "황민수", "Hwang Su-man")[1]
    assert not compare_names("Person", "안영식", "PAK YONG SIK")[1]


def test_arabic_script_names_against_their_romanisations():
    """Ta marbuta ends a name as -a or -ah (حمزة = Hamza, أسامة = Usama); z is its own letter
    in Arabic and Persian (ز ذ ظ ض), never romanised as s: Hawazin is not Hasan."""
    assert compare_names("Person", "حمزة", "Hamza")[1]
    assert compare_names("Person", "أسامة بن لادن", "Usama bin Laden")[1]
    assert compare_names("Person", "عزيز", "Aziz")[1]
    assert not compare_names("Person", "كايد هوازن", "Qaid Hasan")[1]
    assert not compare_names("Person", "علی شبیری", "Ali Zubayr")[1]


def test_arabic_script_originals_on_the_un_list_match_their_romanisations(data_dir):
    """The UN list gives each Arabic-script original beside its romanisation. The article is
    written joined (عبدالكريم = Abd al-Karim) and assimilated before a sun letter in Latin
    (شهاب الدين = Shahabuddin, عبد الرحمن = Abdur Rehman); interdentals are s / z in many
    romanisations (وثيق = Wassiq); qaf is g in the Maghreb (قاسمي = Gasmi). 72 % of these
    pairs matched before those readings."""
    from lxml import etree

    from tradescreen.normalize.text import script_of

    root = etree.parse(str(data_dir / "un" / "consolidated.xml")).getroot()
    total = matched = 0
    for tag, schema in (("INDIVIDUAL", "Person"), ("ENTITY", "Organization")):
        for node in root.iter(tag):
            original = (node.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            parts = [(node.findtext(p) or "").strip()
                     for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            primary = " ".join(p for p in parts if p)
            if original and primary and script_of(original) == "Arabic":
                total += 1
                matched += compare_names(schema, original, primary)[1]
    assert total > 300
    assert matched / total >= 0.80
    assert compare_names("Person", "عبد الحق وثيق", "ABDUL-HAQ WASSIQ")[1]
    assert compare_names("Person", "شهاب الدين دلاور", "SHAHABUDDIN DELAWAR")[1]
    assert compare_names("Person", "عبد الرحمن", "ABDUR REHMAN")[1]
    assert compare_names("Person", "محمد عبدالكريم الغماري", "MUHAMMAD ABD AL-KARIM AL-GHAMARI")[1]
    # a name that begins with ayn-lam is not the article (علوان = Alwan)
    assert compare_names("Person", "علوان", "Alwan")[1]


def test_father_and_son_swapped_around_bin_are_two_people(data_dir):
    """"X bin Y" is Y's son; "Y bin X" is X's son. Every UN-listed name of that shape with the
    names around "bin" swapped matched its original before this weighed more than every other
    word agreeing (27 of 27)."""
    from lxml import etree

    root = etree.parse(str(data_dir / "un" / "consolidated.xml")).getroot()
    total = matched = 0
    for node in root.iter("INDIVIDUAL"):
        parts = [(node.findtext(p) or "").strip()
                 for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        words = " ".join(p for p in parts if p).split()
        for i in range(1, len(words) - 1):
            if words[i].upper() in ("BIN", "BEN", "IBN"):
                swapped = words[: i - 1] + [words[i + 1], words[i], words[i - 1]] + words[i + 2 :]
                total += 1
                matched += compare_names("Person", " ".join(swapped), " ".join(words))[1]
                break
    assert total >= 20
    assert matched <= total * 0.1


def test_another_number_of_a_series_is_review_not_match(data_dir):
    """Unit 2 and Unit 3 of a listed group, LONG XING 611 and 627 (vessels on OFAC SDN): one
    family, two entities. An otherwise identical name lands in `review` (0.6), between the
    pair threshold and `match`, however the fit scales the rest (it was 0.73 after a refit)."""
    import csv

    names = []
    with (data_dir / "ofac" / "sdn_2024-05-03" / "sdn.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[1] in ("SANAM INDUSTRIAL GROUP", "LONG XING 611",
                                           "LONG XING 627"):
                names.append(row[1])
    assert len(names) == 3
    for schema, a, b in (("Organization", "SANAM INDUSTRIAL GROUP Unit 2",
                          "SANAM INDUSTRIAL GROUP Unit 3"),
                         ("Vessel", "LONG XING 611", "LONG XING 627")):
        score = score_names(schema, a, b).score
        assert 0.5 < score < 0.7, (a, b, score)


def test_a_number_on_one_side_only_is_another_member_of_the_series():
    """Bowne Global Solutions and Bowne Global Solutions II, Sparta and Sparta III: the
    numbered name is another entity of the series the other heads. Not a pair match, never
    `match` in screening; the same number written two ways still agrees."""
    for schema, a, b in (("Company", "Bowne Global Solutions, Inc.",
                          "Bowne Global Solutions II, Inc."),
                         ("Vessel", "SPARTA", "SPARTA III"),
                         ("Vessel", "MI RIM", "MI RIM 2")):
        assert not compare_names(schema, a, b)[1], (a, b)
    assert compare_names("Company", "Bain Capital Fund XI L.P.", "Bain Capital Fund 11 LP")[1]
    # A number inside further words names a unit of the other, not another of a series.
    assert compare_names("Company", "China Electronics Technology Group Corporation",
                         "China Electronics Technology Group Corporation 14th Research "
                         "Institute")[1]
    # Fund X / Fund XI: two numbers of one series (the labelled pairs call these a match).
    assert compare_names("Company", "Bain Capital Fund X L.P.", "Bain Capital Fund XI L.P.")[1]


def test_three_letters_changed_in_one_word_is_another_name():
    """A typist slips a letter or two; a word with three changed letters, or two with the
    first among them, is another name when both names are written in one script (Monteiro /
    Montenegro, Navros / Lavrov). A name read from another script, a word cut short or given
    an ending or article is not a slip of that kind."""
    for a, b in (("Luís Monteiro", "Luís Montenegro"), ("Masoud Pezeshfar", "Masoud Pezeshkian"),
                 ("Sergej Viktorovich Navros", "Sergey Viktorovich LAVROV")):
        assert not compare_names("Person", a, b)[1], (a, b)
    assert compare_names("Person", "Bill Cates", "Bill Gates")[1]
    assert compare_names("Person", "Mikhail Khordorovsky", "Mikhail Khodorkovsky")[1]
    assert compare_names("Organization", "TUNISIAN COMBAT GROUP", "TUNISIAN COMBATANT GROUP")[1]
    assert compare_names("Organization", "ANSAR AL-DINE", "ANSAR EDDINE")[1]
    assert compare_names(
        "Person", "Мишкин Александер Евгенийевич", "MISHKIN, Alexander Yevgeniyevich"
    )[1]


def test_an_acronym_stands_for_the_words_it_is_made_of():
    """No word of "PLA" aligns with "People's Liberation Army": the acronym alone is worth a
    review (a pair match), not `match`; an acronym beside the written-out name is no extra
    word against it. Initials that spell another name are not an acronym of it."""
    for a, b in (("PLA", "People’s Liberation Army"),
                 ("IRGC", "Islamic Revolutionary Guard Corps"),
                 ("ISIL", "Islamic State in Iraq and the Levant")):
        score, verdict = compare_names("Organization", a, b)
        assert verdict and score < 0.7, (a, b, score)
    spelled = compare_names("Organization", "DAEDONG CREDIT BANK", "DAEDONG CREDIT BANK (DCB)")
    assert spelled[0] >= 0.9
    assert not compare_names("Organization", "PLO", "People’s Liberation Army")[1]
    assert not compare_names("Person", "Pla", "Pedro Luis Alvarez")[1]


def test_names_of_other_languages_written_in_cyrillic_match_their_latin_originals():
    """A Korean or Spanish name written in Cyrillic (Ри Ток Джин, Гузман Лопез Джоакуин) came
    out as "dzin", "dzoakuin" and never met Jin / Joaquin; дж is the English j."""
    for a, b in (("Ри Ток Джин", "RI, Tok Jin"), ("Гузман Лопез Джоакуин", "GUZMAN LOPEZ, Joaquin"),
                 ("Петров Юрий Александрович", "PETROV, Yury Aleksandrovich"),
                 ("Dzhokhar Tsarnaev", "Jokhar Tsarnaev")):
        assert compare_names("Person", a, b)[0] >= 0.7, (a, b)
