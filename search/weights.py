"""The ranking's weights, one set for every engine (each engine applies them its way:
search/engine/whoosh/ranking.py in numpy, search/engine/opensearch as query clauses).

Word weights (title, people, stems) are in search/query.py, where the words are compiled.
"""

from __future__ import annotations

__all__ = ["EXACT_BONUS", "QUOTED_NAME_WEIGHT", "RERANK_DEPTH", "ORDERED_WEIGHT",
           "WINDOW_WEIGHT", "WINDOW"]

EXACT_BONUS = 0.8  # per field holding a typed form as written, times its lemma's idf
# A query that spells a name quoted in a document («Красная строка») is looking for it:
# such documents rank first, each raised by this share of the best score of the others.
QUOTED_NAME_WEIGHT = 1.0
# Candidates, by BM25F, that get the proximity and exact-form bonuses: every match of
# nearly every query (dev figures were the same at 100 and 1,000; 200 bounds the cost).
RERANK_DEPTH = 200

# Term proximity in the spirit of the sequential dependence model (Metzler and Croft):
# each pair of neighbouring query words earns a bonus for standing side by side in the
# query's order and another for standing within a window of WINDOW in any order.
# Metzler and Croft's tuned SDM gives 0.85 / 0.10 / 0.05 to words, ordered and unordered
# windows over query likelihood; BM25F scores of a word here run ~2-10 per field, so a
# pair's full bonus is set near one word's score.
ORDERED_WEIGHT = 4.0
WINDOW_WEIGHT = 2.0
WINDOW = 8
