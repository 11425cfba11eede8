"""Language detection and the per-side language check."""

from __future__ import annotations

import pytest

from aligner.errors import AlignerError, LanguageError
from aligner.text.langcheck import (
    check_language,
    check_pair_languages,
    detect_language,
    iso_code,
    script_counts,
)

EN = (
    "A senior Pentagon official hinted that South Korea, the US, and Japan are looking to sign "
    "an additional agreement that would go beyond the MOU that the three countries signed."
)
KO = (
    "미국 국방부 고위 관리가 한·미·일 3국이 지난해 12월 체결한 정보공유 약정(MOU)을 넘어서는 "
    "추가 협정 체결을 모색하고 있다고 시사했다. 데이비드 시어(David Shear) 차관보는 CSIS에서 이렇게 말했다."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EN, "en"),
        (KO, "ko"),
        # Korean with many Latin names and acronyms: particles glue onto them
        ("삼성전자(Samsung Electronics)는 IBM과 NATO, UN, IMF 관계자를 만났다.", "ko"),
        # English quoting a Korean word
        ("The chaebol (재벌) system still dominates the economy of South Korea today.", "en"),
        # short Latin-script text is taken as English
        ("OK", "en"),
        ("Seoul", "en"),
        ("NATO UN IMF WTO", "en"),
        # short Korean
        ("네", "ko"),
        ("2024년 3월", "ko"),
        ("Guten Morgen, wie geht es Ihnen heute? Das Wetter ist wirklich schön.", "de"),
        ("Bonjour, je suis très content de vous voir aujourd’hui à Paris.", "fr"),
        ("Hoy el presidente anunció nuevas medidas económicas para el país.", "es"),
        ("今日はいい天気ですね。散歩に行きましょう。", "ja"),
        ("今天天气很好，我们去公园散步吧。", "zh"),
        ("Привет, как дела? Всё хорошо, спасибо.", "ru"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detection_is_repeatable() -> None:
    text = "Hoy el presidente anunció nuevas medidas"
    assert len({detect_language(text) for _ in range(5)}) == 1


def test_no_letters_is_an_error() -> None:
    with pytest.raises(LanguageError):
        detect_language("12 345 !!! --")
    with pytest.raises(AlignerError):  # callers may catch the base class
        detect_language("")


def test_script_counts_words_not_letters() -> None:
    assert script_counts("삼성전자(Samsung)는 IBM과 협력했다 in 2024") == (3, 1, 22)


def test_iso_codes() -> None:
    assert iso_code("zh-cn") == "zh"
    assert iso_code("ko_KR") == "ko"
    assert iso_code(" EN ") == "en"


def test_check_language_passes_and_fails_with_one_line() -> None:
    check_language(EN, "en", "en.html")
    check_language(KO, "ko-KR", "ko.html")
    with pytest.raises(LanguageError) as info:
        check_language(EN, "ko", "https://www.hani.co.kr/arti/1.html")
    message = str(info.value)
    assert message.startswith("https://www.hani.co.kr/arti/1.html: expected Korean text but found English")
    assert "swapped" in message and "\n" not in message


def test_check_language_other_language() -> None:
    with pytest.raises(LanguageError, match=r"^c\.txt: expected English text but found German$"):
        check_language("Das ist gut und schön so, sagte er gestern in Berlin.", "en", "c.txt")


def test_check_language_without_letters() -> None:
    with pytest.raises(LanguageError, match="expected English text but found no letters"):
        check_language("2024-03-01", "en", "d.txt")


def test_the_pair_rule_names_the_first_wrong_side_and_says_when_the_sides_look_swapped() -> None:
    with pytest.raises(
        LanguageError,
        match=r"^en\.html: expected English text but found Korean "
        r"\(are the English and Korean sides swapped\?\)$",
    ):
        check_pair_languages(KO, "en", EN, "ko", "en.html", "ko.html")
    check_pair_languages(EN, "en", KO, "ko", "en.html", "ko.html")
    with pytest.raises(LanguageError, match=r"^ko\.html: expected Korean text but found English"):
        check_pair_languages(EN, "en", EN, "ko", "en.html", "ko.html")
    with pytest.raises(LanguageError, match=r"^a\.txt / b\.txt: both sides are English text"):
        check_pair_languages(EN, "en", EN, "en-GB", "a.txt", "b.txt")


LONG = {
    "de": "Die Bundesregierung hat am Mittwoch neue Regeln für den Klimaschutz beschlossen. Der Minister "
    "sagte in Berlin, dass die Maßnahmen schon im nächsten Jahr in Kraft treten sollen und die Industrie "
    "mehr investieren muss. Kritiker halten das Paket für zu schwach, die Opposition will im Bundestag "
    "dagegen stimmen, und die Länder fordern mehr Geld vom Bund.",
    "fr": "Le gouvernement a présenté mercredi un nouveau plan pour le climat. Le ministre a déclaré à Paris que "
    "les mesures entreraient en vigueur l'année prochaine et que l'industrie devrait investir davantage. "
    "Les critiques jugent le paquet trop faible, l'opposition votera contre à l'Assemblée et les régions "
    "demandent plus d'argent à l'État.",
    "es": "El gobierno presentó el miércoles un nuevo plan para el clima. El ministro dijo en Madrid que las "
    "medidas entrarían en vigor el próximo año y que la industria tendría que invertir más. Los críticos "
    "consideran el paquete demasiado débil, la oposición votará en contra en el Congreso y las regiones "
    "piden más dinero al Estado.",
    "nl": "De regering heeft woensdag een nieuw klimaatplan gepresenteerd. De minister zei in Den Haag dat de "
    "maatregelen volgend jaar ingaan en dat de industrie meer moet investeren. Critici vinden het pakket "
    "te zwak, de oppositie stemt in de Tweede Kamer tegen en de provincies vragen meer geld van het Rijk.",
    "it": "Il governo ha presentato mercoledì un nuovo piano per il clima. Il ministro ha detto a Roma che le "
    "misure entreranno in vigore l'anno prossimo e che l'industria dovrà investire di più. I critici "
    "ritengono il pacchetto troppo debole, l'opposizione voterà contro in Parlamento e le regioni "
    "chiedono più soldi allo Stato.",
}


def test_english_news_is_told_by_its_function_words_and_other_languages_still_by_langdetect() -> None:
    """The fast path takes plain English only; every other Latin-script language goes on to langdetect."""
    from aligner.text.langcheck import _looks_english

    english = " ".join([EN] * 3)
    assert _looks_english(english) and detect_language(english) == "en"
    assert not _looks_english(EN)  # too few words to go by: langdetect decides
    for code, text in LONG.items():
        assert not _looks_english(text), code
        assert detect_language(text) == code
