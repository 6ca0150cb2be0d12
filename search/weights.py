"""The ranking's weights, one set for every engine (each engine applies them its way:
search/engine/whoosh/ranking.py in numpy, search/engine/opensearch as query clauses).

Word weights (title, people, stems) are in search/query_words.py, where the words are compiled.
"""

from __future__ import annotations

__all__ = ["EXACT_BONUS", "NAMED_WEIGHT", "NAMED_WORDS", "RERANK_DEPTH", "ORDERED_WEIGHT",
           "WINDOW_WEIGHT", "WINDOW", "LIBRARY_LEMMAS", "LIBRARY_WEIGHT", "DATED_SCORE", "MONTH_DATED_SCORE",
           "REPORTED_WITHIN_DAYS",
           "YEARS"]

EXACT_BONUS = 0.8  # per field holding a typed form as written, times its lemma's idf
# Publications the query names rank first, each raised by this share of the best score
# of the others: those quoting its words as a name («Красная строка»: a query of common
# words that spells such a name is looking for it), and those whose title holds its
# content words side by side, in its order ("письма с фронта": «Жди меня»: читаем
# письма с фронта). Adding titles to the quoted names raised the blind dev half's
# nDCG@10 0.875 -> 0.878 (MRR 0.992 -> 1.000) and the old set's 0.934 -> 0.939, no query
# lower; titles as a second tier below the quoted names left both unchanged.
NAMED_WEIGHT = 1.0
NAMED_WORDS = (2, 6)  # how many content words a query naming a publication has
# Candidates, by BM25F, that get the proximity and exact-form bonuses: every match of
# nearly every query (dev figures were the same at 100 and 1,000; 200 bounds the cost).
RERANK_DEPTH = 200

# Term proximity in the spirit of the sequential dependence model (Metzler and Croft):
# each pair of neighbouring query words earns a bonus for standing side by side in the
# query's order and another for standing within a window of WINDOW in any order.
# Metzler and Croft's tuned SDM gives 0.85 / 0.10 / 0.05 to words, ordered and unordered
# windows over query likelihood; BM25F scores of a word here run ~2-10 per field, so a
# pair's full bonus is set near one word's score. Side by side counts twice what it did
# (4 -> 8): dev half nDCG@10 0.882 -> 0.884 (5 queries up, 1 down), the old set 0.942
# either way; 12 lowered both (0.880 / 0.941).
ORDERED_WEIGHT = 8.0
WINDOW_WEIGHT = 2.0
WINDOW = 8

# A document prior: a publication whose title or text names the library (any of these
# lemmas) is multiplied by 1 + LIBRARY_WEIGHT (KARTOTEKA_LIBRARY_WEIGHT), as recency is.
# Kartoteka searches what libraries publish; where an index also holds other news (a
# regional portal, the real corpus's newspapers), a visitor of the library's site asks
# about the library's events and books first. On a library's own site nearly every post
# names it, and the prior changes little. Blind dev half nDCG@10 0.884 -> 0.894 (6
# queries up, 4 down; most of the gain from two: `экстримизм молодеж`, `детективы`), the
# old set 0.942 -> 0.943 (1 up, 2 down); 0.05 gave 0.885, 0.2 and 0.4 0.887. Requiring two
# mentions, or adding «абонемент», «ЦБС», «книжный», changed nothing or lowered it. The
# blind test half, run once after it and the years below, fell 0.843 -> 0.835 (the
# other unseen sets 0.843 -> 0.843, 0.793 -> 0.795): which of the two is not known.
LIBRARY_LEMMAS = ("библиотека", "библиотекарь", "библиотечный", "читатель")
LIBRARY_WEIGHT = 0.1

# A year typed among the words (`выставка 2024`, `отчёт 2023`) matches a publication
# holding it, or one published that year (search/nodes.py Dated), which scores
# DATED_SCORE: about one occurrence of a word of middling frequency in the text (BM25F
# scores of a word run ~2-10 per field), so a text naming the year still ranks first.
DATED_SCORE = 2.0
# A month beside a year (`май 2020`, `в мае прошлого года`: search/date_words.py) is a
# date more than a word: what was published in that month comes first, above the texts
# that only name the month and the year (a news item on the «Mars 2020» rover launched
# in May scored 34; the library's own posts of May 2020, at 4, were 16th to 23rd). Far
# above any text's score (on OpenSearch too, whose bonuses do not saturate): a tier.
MONTH_DATED_SCORE = 100.0
# ... and a text naming the month, published within this many days after it ends, is a
# report of that month's events (`в мае 2021`: «в мае прошла акция», published 2 June).
REPORTED_WITHIN_DAYS = 31
YEARS = (1900, 2099)  # the numbers read as years
