"""A rebuild's analysis processes hand the words they parsed to each other."""

from __future__ import annotations

import marshal
import multiprocessing
import struct

from search import morph
from search.engine.whoosh.word_exchange import SUFFIX, WordExchange

WORDS = ["библиотекарями", "краеведческого", "выставками", "Надежда", "читательниц",
         "стали", "ёлочку", "пересветовым"]
PREFIX = ".lemmas-"


def _parse_and_hand_over(folder: str) -> None:
    morph.clear_caches()
    exchange = WordExchange(folder, PREFIX)
    for word in WORDS:
        morph.readings(word.lower())
    exchange.trade()
    exchange.close()


def test_words_another_process_parsed_are_not_parsed_again(tmp_path):
    morph.clear_caches()
    expected = {w: morph.readings(w.lower()) for w in WORDS}  # parsed here, for reference
    child = multiprocessing.get_context("fork").Process(target=_parse_and_hand_over,
                                                        args=(str(tmp_path),))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    morph.clear_caches()
    try:
        exchange = WordExchange(tmp_path, PREFIX)
        exchange.trade()
        before = morph.cache_stats()["misses"]
        got = {w: morph.readings(w.lower()) for w in WORDS}
        assert morph.cache_stats()["misses"] == before  # none parsed here
        assert got == expected  # the same readings as a parse gives
        exchange.trade()  # nothing new: nothing taken twice, no error
        exchange.close()
    finally:
        morph.stop_recording()
        morph.clear_caches()


def test_a_frame_still_being_written_is_taken_later(tmp_path):
    morph.clear_caches()
    try:
        other = tmp_path / f"{PREFIX}999999{SUFFIX}"
        data = marshal.dumps([("библиотекарями", (("библиотекарь", 1.0, False, 0.0),))])
        frame = struct.pack("<I", len(data)) + data
        other.write_bytes(frame[:7])  # cut inside the frame
        exchange = WordExchange(tmp_path, PREFIX)
        exchange.trade()
        before = morph.cache_stats()["misses"]
        other.write_bytes(frame)
        exchange.trade()
        assert morph.readings("библиотекарями")[0].lemma == "библиотекарь"
        assert morph.cache_stats()["misses"] == before
        exchange.close()
    finally:
        morph.stop_recording()
        morph.clear_caches()
