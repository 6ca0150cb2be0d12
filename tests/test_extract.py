"""Raw pages to Publication fields: the sample ground truth, the seed page and golden files.

Golden files live in tests/data/golden/; `pytest --regen-golden` rewrites them from the
current extractor (review the diff). Golden files of ../shared pages hold no body text,
only a sha1 of it.
"""

from __future__ import annotations

import hashlib
import html
import json
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED

from indexer.extract import extract_parts
from search.errors import ExtractError
from search.settings import SAMPLE_DIR

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
EXPECTED = json.loads((DATA / "sample_expected.json").read_text(encoding="utf-8"))
SEED = SHARED / "seeds" / "000_d688cad9c39af868.txt"
RAW = SHARED / "corpus" / "raw"


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(html.unescape(text).replace("\u00a0", " ").split())


def _sample_files() -> list[str]:
    return sorted(str(p.relative_to(SAMPLE_DIR)) for sub in ("pages", "html")
                  for p in (SAMPLE_DIR / sub).iterdir() if p.is_file())


def _raw_files() -> list:
    if not RAW.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(
            reason="../shared/corpus/raw is not present on this machine"))]
    return sorted(str(p.relative_to(RAW)) for p in RAW.rglob("*") if p.is_file())


def _extract(path: Path):
    return extract_parts(path.read_bytes(), str(path))


def _bucket(length: int) -> str:
    low = 1 << (length.bit_length() - 1) if length else 0
    return f"{low}-{max(low * 2 - 1, 0)}"


def _sample_record(parts) -> dict:
    body = _norm(parts.body)
    return {
        "title": _norm(parts.title),
        "published": parts.date.isoformat() if parts.date else None,
        "author": parts.author,
        "author_position": _norm(parts.author_position),
        "photographer": parts.photographer,
        "body_first_60": body[:60],
        "body_last_60": body[-60:],
        "body_length": _bucket(len(body)),
    }


def _digest(text: str | None) -> str | None:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] if text is not None else None


def _shared_record(parts) -> dict:
    """No corpus text in the repository: every extracted text field only as a hash."""
    return {
        "title_sha1": _digest(_norm(parts.title)),
        "published": parts.date.isoformat() if parts.date else None,
        "author_sha1": _digest(parts.author),
        "photographer_sha1": _digest(parts.photographer),
        "body_sha1": _digest(parts.body),
    }


def _check_golden(request, name: str, record: dict) -> None:
    path = GOLDEN / f"{name.replace('/', '__')}.json"
    if request.config.getoption("--regen-golden"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing: run `pytest --regen-golden` and review it")
    assert record == json.loads(path.read_text(encoding="utf-8"))


# -- the sample against its ground truth ---------------------------------------------
def test_expected_covers_every_sample_page():
    assert sorted(EXPECTED) == _sample_files()


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_sample_page_matches_expected(rel):
    want = EXPECTED[rel]
    parts = _extract(SAMPLE_DIR / rel)
    body = _norm(parts.body)
    got = {
        "title": _norm(parts.title),
        "date": parts.date.isoformat() if parts.date else None,
        "author": parts.author,
        "author_position": _norm(parts.author_position),
        "photographer": parts.photographer,
        "body_starts_with": body[:len(_norm(want["body_starts_with"]))],
        "body_ends_with": body[-len(_norm(want["body_ends_with"])):],
    }
    assert got == {key: _norm(value) for key, value in want.items()}


@pytest.mark.parametrize("rel", _sample_files())
def test_sample_page_golden(request, rel):
    _check_golden(request, f"sample/{rel}", _sample_record(_extract(SAMPLE_DIR / rel)))


def test_body_excludes_boilerplate():
    parts = _extract(SAMPLE_DIR / "pages" / "001_metodicheskaya_konsultaciya.txt")
    for marker in ("Автор:", "Фото:", "комментарий", "+12"):
        assert marker not in parts.body


def test_cp1251_page_with_declared_charset():
    parts = _extract(SAMPLE_DIR / "html" / "h03_cp1251_novyy_god.html")
    assert parts.title == _norm(EXPECTED["html/h03_cp1251_novyy_god.html"]["title"])
    assert "\ufffd" not in parts.body


def test_a_utf16_page_saved_by_notepad_is_read(tmp_path):
    """Notepad's «Юникод» is UTF-16 with a byte order mark (zero bytes in every
    character): read as text, not refused as binary or as of no known encoding."""
    source = SAMPLE_DIR / "pages" / "001_metodicheskaya_konsultaciya.txt"
    for encoding in ("utf-16-le", "utf-16-be"):
        copy = tmp_path / f"{encoding}.txt"
        bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
        copy.write_bytes(bom + source.read_text(encoding="utf-8").encode(encoding))
        assert _extract(copy) == _extract(source), encoding


def test_the_date_under_the_heading_not_the_sites_clock():
    """A saved page's header shows the site's clock; the publication's date stands under
    its heading, which repeats the title with another dash than the window's title."""
    page = "\n".join([
        "Строящиеся объекты - качественно и в срок - Звезда Алтая", "Перейти к содержимому",
        "02.03.2021 20:37", "Новости", "Погода", "Статьи",
        "Строящиеся объекты — качественно и в срок", "от Администратор", "29.11.2017",
        "Глава республики провёл рабочее совещание по реализации государственных программ "
        "и контрактов в области строительства на территории региона, и подрядчики "
        "доложили о сроках сдачи каждого объекта.",
        "Совещание продолжится на следующей неделе с участием глав районов и муниципальных "
        "образований, где обсудят ход работ и качество строительства."])
    parts = extract_parts(page.encode("utf-8"), "page.txt")
    assert str(parts.date) == "2017-11-29"


def test_html_wrapped_at_80_columns_keeps_every_sentence():
    """An editor that wraps the page's source at 80 columns puts line breaks inside
    sentences; a browser shows them as spaces. The text was cut into short lines and
    the article's end lost (a real post kept 959 of its 1,431 characters)."""
    sentence = ("Первое мероприятие Недели прошло с участием председателя Союза "
                "предпринимателей области и члена Союза, его исполнительного директора.")
    wrapped = "\n      ".join(textwrap.wrap(sentence, 40))
    paragraph = f"    <p>\n      {wrapped}<br />\n    </p>"
    page = (f"<html><body><div>\n{paragraph}\n{paragraph}\n    <p>Гости ответили на "
            f"вопросы.</p>\n{paragraph}\n{paragraph}\n</div></body></html>")
    parts = extract_parts(page.encode("utf-8"), "page.html")
    # one line per paragraph, as written
    assert parts.body.split("\n") == [sentence, sentence, "Гости ответили на вопросы.",
                                      sentence, sentence]
    assert parts.title == sentence  # the first sentence, when the page has no heading


@pytest.mark.parametrize("line, title", [
    ("12 апреля 2023 г. на базе Публичного центра правовой информации библиотеки им. "
     "М. Горького прошла встреча. Далее о ней.",
     "12 апреля 2023 г. на базе Публичного центра правовой информации библиотеки им. "
     "М. Горького прошла встреча."),
    ("Экскурсия по ул. Ленина и пос. Южный для учеников 5 класса! Запись по телефону.",
     "Экскурсия по ул. Ленина и пос. Южный для учеников 5 класса!"),
    ("Без знака в конце строки и без точки", "Без знака в конце строки и без точки"),
])
def test_a_title_from_the_first_sentence_does_not_end_at_an_abbreviation(line, title):
    from indexer.extract import first_sentence

    assert first_sentence(line) == title


_BODY = ("Библиотека провела встречу с читателями, посвящённую истории родного края и его "
         "людям.\nГости рассказали о своих находках в архивах и ответили на вопросы читателей.")


@pytest.mark.parametrize("signature, author, position", [
    (["Алексей МИШИН"], "Алексей Мишин", None),  # a newspaper's signature
    (["А.А. МАТЫКОВ,", "почетный гражданин Республики Алтай"], "А. А. Матыков",
     "почетный гражданин Республики Алтай"),
    (["М. П. Иванова, библиотекарь абонемента"], "М. П. Иванова", "библиотекарь абонемента"),
    (["Подготовила: Сидоренко Ольга"], "Ольга Сидоренко", None),
    (["Текст: М. П. Иванова"], "М. П. Иванова", None),
    (["Автор: Петрова Анна Сергеевна, библиотекарь отдела обслуживания"], "Анна Петрова",
     "библиотекарь отдела обслуживания"),
])
def test_signature_lines_name_the_author(signature, author, position):
    """Signatures under a text were dropped with the page's other short lines and the
    author left empty: a search for the person who wrote it found nothing."""
    page = "\n".join(["Встреча с краеведами", _BODY, *signature, "Поделиться ссылкой:"])
    parts = extract_parts(page.encode("utf-8"), "page.txt")
    assert (parts.author, parts.author_position) == (author, position)
    assert parts.body == _BODY


@pytest.mark.parametrize("line", ["Дата публикации: 7 мая 2024 г.", "Опубликовано 07.05.2024",
                                  "Дата: 2024-05-07"])
def test_a_labelled_date_under_the_text(line):
    page = "\n".join(["Встреча с краеведами", _BODY, line, "Поделиться ссылкой:"])
    parts = extract_parts(page.encode("utf-8"), "page.txt")
    assert str(parts.date) == "2024-05-07" and parts.body == _BODY


def test_a_sentence_that_begins_with_a_name_is_not_a_signature():
    body = _BODY + "\nАлексей МИШИН рассказал о планах клуба на следующий год и пригласил всех."
    parts = extract_parts("\n".join(["Встреча с краеведами", body]).encode("utf-8"), "p.txt")
    assert parts.author is None and parts.body == body


def test_the_author_meta_of_an_html_page():
    paragraphs = "".join(f"<p>{line}</p>" for line in _BODY.split("\n"))
    page = ('<html><head><meta name="author" content="Ирина Полищук"></head><body>'
            f"<article><h1>Встреча с краеведами</h1>{paragraphs}</article></body></html>")
    assert extract_parts(page.encode("utf-8"), "p.html").author == "Ирина Полищук"
    site = page.replace("Ирина Полищук", "Газета Звезда Алтая")  # a site, not a person
    assert extract_parts(site.encode("utf-8"), "p.html").author is None


# -- the seed page and the shared corpus ---------------------------------------------
def test_seed_page():
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not present on this machine")
    parts = _extract(SEED)
    assert parts.title == "Дружить и работать вместе – библиотеки изучают опыт работы с мигрантами"
    assert parts.author == "Ирина Полищук"
    assert parts.photographer == "Татьяна Гнусина"
    assert parts.body.startswith("12 ноября в Центральной городской библиотеке")
    assert "Автор:" not in parts.body


def test_seed_page_golden(request):
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not present on this machine")
    _check_golden(request, f"shared/seeds/{SEED.name}", _shared_record(_extract(SEED)))


@pytest.mark.corpus
@pytest.mark.parametrize("rel", _raw_files())
def test_corpus_raw_page_golden(request, rel):
    parts = _extract(RAW / rel)
    assert parts.title
    assert len(parts.body) >= 40
    _check_golden(request, f"shared/corpus/raw/{rel}", _shared_record(parts))


def test_shared_golden_files_hold_no_body_text():
    for path in GOLDEN.glob("shared__*.json"):
        assert set(json.loads(path.read_text(encoding="utf-8"))) == {
            "title_sha1", "published", "author_sha1", "photographer_sha1", "body_sha1"}, path.name


# -- lists of publications -------------------------------------------------------------
_TEASERS = [
    ("Весенняя неделя краеведения", "В читальном зале открылась выставка старых открыток "
     "и фотографий нашего города, собранных читателями за последние десять лет работы клуба."),
    ("Мастер-класс по переплёту книг", "Реставратор областной библиотеки показал юным "
     "читателям, как подклеить корешок и вернуть к жизни любимую растрёпанную книжку."),
    ("Встреча с поэтом Ильёй Сомовым", "Автор трёх сборников стихов рассказал о детстве в "
     "деревне, прочитал новые стихотворения и подписал книги всем гостям вечера."),
    ("Итоги конкурса чтецов", "Двадцать два школьника района читали наизусть стихи о природе; "
     "жюри отметило девять участников, а приз зрительских симпатий достался самой младшей."),
]


def _list_page(item: str) -> bytes:
    items = "".join(item.format(n=n, title=title, teaser=teaser)
                    for n, (title, teaser) in enumerate(_TEASERS, 1))
    return ('<html><head><title>Новости</title></head><body><nav><a href="/">Главная</a></nav>'
            f'<div class="content"><h1>Новости</h1>{items}</div></body></html>').encode()


@pytest.mark.parametrize("item", [
    # a date, a title link, a teaser and «Подробнее» to the same post
    '<div class="news-item"><span class="date">1{n}.03.2024</span><h3><a href="/news/{n}.html">'
    '{title}</a></h3><p>{teaser}</p><a href="/news/{n}.html">Подробнее</a></div>',
    # each teaser an article of its own; the link at the teaser's end
    '<article><p>{teaser} <a href="/news/{n}.html">Читать далее →</a></p></article>',
    # a title link and a teaser in a list item, with no wrapper of their own
    '<li><a href="http://lib.example.ru/news/{n}.html">{title}</a><br>{teaser}</li>',
])
def test_a_list_of_teasers_is_no_publication(item):
    """A list of news with a teaser per post was indexed as a publication of its own (19
    publications for 15 posts; a deleted post stayed findable through its teaser)."""
    with pytest.raises(ExtractError, match="список публикаций"):
        extract_parts(_list_page(item), "http://lib.example.ru/news/")


# -- short paragraphs of a post --------------------------------------------------------
_LONG = ["В субботу в читальном зале пройдёт встреча клуба любителей истории родного края.",
         "Об истории купеческих домов улицы Садовой расскажет краевед Анна Белова."]


_ALSO = "".join(f'<li><a href="/news/{n}.html">{title}</a></li>'
                for n, (title, _) in enumerate(_TEASERS[:3], 1))


def test_short_paragraphs_next_to_the_text_are_kept():
    """A post's short first and last paragraphs («Вход свободный.», «Ждём вас!») and its
    «Источник: …» line fell outside the body (its longest run of lines of 6+ words)."""
    post = ["Дорогие друзья!", *_LONG, "Вход свободный.", "Ждём вас!",
            "Источник: пресс-служба управления культуры"]
    paragraphs = "".join(f"<p>{line}</p>" for line in post)
    page = ('<html><body><div class="page"><p><a href="/">Главная</a></p><p>Контакты</p>'
            f'<div class="news-detail"><h1>Встреча краеведов</h1><p>12.03.2024</p>{paragraphs}'
            '<p>Поделиться ссылкой</p></div>'
            '<p>Телефон: +7 (3852) 12-34-56</p><p>© 2024 Городская библиотека</p>'
            '</div></body></html>')
    parts = extract_parts(page.encode(), "http://lib.example.ru/news/7.html")
    assert parts.body.split("\n") == post
    assert str(parts.date) == "2024-03-12"
    # the site's own short lines around a post with no container of its own stay out
    body = "".join(f"<p>{line}</p>" for line in _LONG)
    page = ("<html><body><p>Главная</p><p>Контакты</p><p>Новости</p><p>Просмотров: 15</p>"
            f"{body}<p>Читать также:</p><ul>{_ALSO}</ul><p>+7 (3852) 12-34-56</p><p>© 2024 Городская библиотека</p>"
            "</body></html>")
    assert extract_parts(page.encode(), "p.html").body.split("\n") == _LONG


def test_a_list_of_people_ending_a_record_is_no_signature():
    """A record that is a list of names (a village's fallen) made its third-last name the
    author and the next one his position (a librarian's trial); one name under a text
    is still its signature."""
    from indexer.text_page import closing_signature

    names = ["Суходоев Иван Андреевич", "Байбородов Алексей Гаврилович",
             "Кондаков Пётр Николаевич", "Олинов Михаил Васильевич",
             "Иванцов Алексей Николаевич", "Бобошин Фёдор Васильевич"]
    assert closing_signature("\n".join(names)) is None
    assert closing_signature(_BODY + "\nАлексей МИШИН") == ("Алексей Мишин", None)
