"""The query language's parser: a token list from search/query_syntax.py -> a tree of
words, phrases, groups and exclusions, skipping what does not parse with a warning.
"""

from __future__ import annotations

from search.query_syntax import Group, Not

__all__ = ["parse_tokens"]

_UNPAIRED_PARENTHESIS = "непарная скобка пропущена"


def _unpaired(count: int) -> str:
    return f"непарные скобки пропущены: {count}"


MAX_DEPTH = 20  # groups nested deeper are read as part of the group at this depth


class _Parser:
    def __init__(self, tokens, warnings: list[str]):
        self.tokens = tokens
        self.warnings = warnings
        self.i = 0
        self.depth = 0
        self.flattened = 0  # groups past MAX_DEPTH read as part of the one around them
        self.unpaired = 0  # parentheses skipped

    def skipped(self, message: str) -> None:
        if message == _UNPAIRED_PARENTHESIS:  # said once, counted: `(((` is three
            self.unpaired += 1
            if self.unpaired > 1:
                at = self.warnings.index(_UNPAIRED_PARENTHESIS if self.unpaired == 2
                                         else _unpaired(self.unpaired - 1))
                self.warnings[at] = _unpaired(self.unpaired)
                return
        if message not in self.warnings:
            self.warnings.append(message)

    def peek(self):
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self):
        nodes = [self.or_expr()]
        while self.i < len(self.tokens):  # stray ')' at top level: skip and go on
            self.skipped(_UNPAIRED_PARENTHESIS)
            self.i += 1
            nodes.append(self.or_expr())
        nodes = [node for node in nodes if node is not None]
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else Group("and", nodes)

    def or_expr(self):
        children = [self.and_expr()]
        while self.peek() == "or":
            self.i += 1
            children.append(self.and_expr())
        if len(children) > 1 and None in children:
            self.skipped("у «ИЛИ» (OR) должны быть слова с обеих сторон: один он пропущен")
        children = [c for c in children if c is not None]
        return children[0] if len(children) == 1 else Group("or", children) if children else None

    def and_expr(self):
        children = []
        while self.peek() not in (None, "or", ")") or (self.peek() == ")" and self.flattened):
            if self.peek() == ")":  # closes a group read flat (see atom)
                self.flattened -= 1
                self.i += 1
                continue
            if self.peek() == "and":
                self.i += 1
                continue
            node = self.unary()
            if node is not None:
                children.append(node)
        if not children:
            return None
        return children[0] if len(children) == 1 else Group("and", children)

    def unary(self):
        kind = self.peek()
        if kind == "not":
            self.i += 1
            child = self.unary() if self.peek() not in (None, "or", ")") else None
            if child is None:
                self.skipped("«НЕ» (NOT) ставится перед словом (НЕ слово): один он пропущен")
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self):
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "(":
            if self.depth >= MAX_DEPTH:  # read on at this depth: no deeper recursion
                self.flattened += 1
                return None
            self.depth += 1
            node = self.or_expr()
            self.depth -= 1
            if self.peek() == ")":
                self.i += 1
            else:
                self.skipped(_UNPAIRED_PARENTHESIS)
            return node
        if kind in ("word", "phrase"):
            return value
        return None


def parse_tokens(tokens, warnings: list[str] | None = None):
    """The tree of a token list (None when nothing is left); what was skipped is added to
    `warnings`."""
    return _Parser(tokens, [] if warnings is None else warnings).parse()
