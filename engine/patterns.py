"""Refusing ``pattern`` values that can take exponential time.

A definition is written by an agency and runs on every submission, so a pattern such
as ``(a+)+$`` would let one crafted value stall a worker (ReDoS). The check parses the
pattern with Python's own regex parser and refuses:

* a repeated group that itself contains an unbounded repetition (nested quantifiers,
  star height > 1);
* back-references, which no linear-time engine supports;
* patterns longer than :data:`MAX_LENGTH`;
* patterns Python's ``re`` cannot compile, which python-jsonschema (the validator that
  explains errors) would fail on: a syntax error, a Unicode property class ``\\p{L}``
  (ECMA-262 and jsonschema-rs have it, ``re`` does not), a look-behind of variable width.
  The sentence says why in Vietnamese.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812  (the parser's opcode names)
from re import _parser as parser

MAX_LENGTH = 300
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT}


def problem(pattern: str) -> str | None:
    """A Vietnamese sentence saying why ``pattern`` is refused, or None when it is safe."""
    if len(pattern) > MAX_LENGTH:
        return f"biểu thức chính quy dài quá {MAX_LENGTH} ký tự"
    try:
        parsed = parser.parse(pattern)
    except re.error as exc:
        return _invalid(exc)
    except (RecursionError, OverflowError, ValueError):
        return "biểu thức chính quy không hợp lệ: lồng quá sâu hoặc số lần lặp quá lớn"
    found = _check(parsed)
    if found:
        return found
    try:  # some mistakes only the compiler sees (a look-behind of variable width)
        re.compile(pattern)
    except re.error as exc:
        return _invalid(exc)
    except (RecursionError, OverflowError, ValueError):
        return "biểu thức chính quy không hợp lệ: lồng quá sâu hoặc số lần lặp quá lớn"
    return None


# Python's own words for what is wrong, in Vietnamese (by the start of re.error's msg).
_MISTAKES = {
    "missing ), unterminated subpattern": "thiếu dấu đóng ngoặc )",
    "unbalanced parenthesis": "thừa dấu đóng ngoặc )",
    "unterminated character set": "thiếu dấu đóng ngoặc ] của tập ký tự",
    "nothing to repeat": "lượng từ (*, +, ?, {…}) không đứng sau ký tự nào",
    "multiple repeat": "hai lượng từ đứng liền nhau",
    "min repeat greater than max repeat": "số lần lặp tối thiểu lớn hơn số lần lặp tối đa",
    "bad character range": "khoảng ký tự bị ngược (ví dụ [z-a])",
    "bad escape": "ký tự thoát không hợp lệ",
    "look-behind requires fixed-width pattern": "phần nhìn lùi (?<=…) hoặc (?<!…) phải có độ dài cố định",
    "global flags not at the start of the expression": "cờ như (?i) chỉ được đặt ở đầu biểu thức",
    "unknown extension": "cú pháp (?…) không được hỗ trợ",
    "missing group name": "thiếu tên nhóm",
    "bad character in group name": "tên nhóm không hợp lệ",
    "unknown group name": "tên nhóm không tồn tại",
    "redefinition of group name": "tên nhóm bị đặt hai lần",
    "invalid group reference": "tham chiếu nhóm không hợp lệ",
    "cannot refer to an open group": "tham chiếu tới một nhóm chưa đóng",
    "missing :": "thiếu dấu :",
    "missing )": "thiếu dấu đóng ngoặc )",
    "unexpected end of pattern": "biểu thức kết thúc giữa chừng",
}


def _invalid(exc: re.error) -> str:
    """Why Python's ``re`` refuses a pattern, in Vietnamese, with where (1-based)."""
    msg = exc.msg if isinstance(exc.msg, str) else str(exc)
    where = f" (ở ký tự thứ {exc.pos + 1})" if isinstance(exc.pos, int) else ""
    if msg in ("bad escape \\p", "bad escape \\P"):
        return (f"biểu thức chính quy dùng lớp ký tự Unicode \\{msg[-1]}{{…}}{where}, mà bộ kiểm tra của cổng "
                "không hỗ trợ; hãy liệt kê các ký tự, ví dụ [A-Za-zÀ-ỹ] thay cho \\p{L}")
    for start, words in _MISTAKES.items():
        if msg.startswith(start):
            return f"biểu thức chính quy không hợp lệ: {words}{where}"
    return f"biểu thức chính quy không hợp lệ{where} ({msg})"


def _unbounded(max_count: int) -> bool:
    return max_count == C.MAXREPEAT or max_count > 1000


def _children(op, arg):
    """The sub-sequences of one parsed item."""
    if op in _REPEATS:
        return [arg[2]]
    if op == C.SUBPATTERN:
        return [arg[-1]]
    if op == C.BRANCH:
        return list(arg[1])
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [arg[1]]
    if op == C.ATOMIC_GROUP:
        return [arg]
    return []


def _variable_repeats(items):
    """Every repetition in ``items`` (at any depth) that can match different counts."""
    for op, arg in items:
        if op in _REPEATS and arg[0] != arg[1]:
            yield arg
        for child in _children(op, arg):
            yield from _variable_repeats(child)


def _check(items) -> str | None:
    for op, arg in items:
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            return "biểu thức chính quy không được dùng tham chiếu ngược (\\1)"
        if op in _REPEATS:
            low, high, sub = arg
            if high > 1 and not _delimited(sub):
                for inner_low, inner_high, _ in _variable_repeats(sub):
                    if _unbounded(high) or _unbounded(inner_high):
                        return "biểu thức chính quy có lượng từ lồng nhau (ví dụ (a+)+) có thể làm treo hệ thống"
        for child in _children(op, arg):
            found = _check(child)
            if found:
                return found
    return None


# Characters used to decide whether two single-character items can match the same text.
_UNIVERSE = [chr(c) for c in range(0x20, 0x250)] + list("\t\n\rẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")
_CATEGORY = {
    C.CATEGORY_DIGIT: str.isdigit,
    C.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
    C.CATEGORY_SPACE: str.isspace,
    C.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    C.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    C.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}


def _char_set(op, arg) -> frozenset | None:
    """The characters one single-character item matches (within _UNIVERSE), or None."""
    if op == C.LITERAL:
        return frozenset({chr(arg)})
    if op == C.NOT_LITERAL:
        return frozenset(ch for ch in _UNIVERSE if ch != chr(arg))
    if op == C.ANY:
        return frozenset(_UNIVERSE)
    if op == C.IN:
        negate = False
        tests = []
        for kind, value in arg:
            if kind == C.NEGATE:
                negate = True
            elif kind == C.LITERAL:
                tests.append(lambda ch, v=value: ch == chr(v))
            elif kind == C.RANGE:
                tests.append(lambda ch, v=value: v[0] <= ord(ch) <= v[1])
            elif kind == C.CATEGORY and value in _CATEGORY:
                tests.append(_CATEGORY[value])
            else:
                return None
        return frozenset(ch for ch in _UNIVERSE if any(t(ch) for t in tests) != negate)
    return None


def _repeat_chars(sub) -> frozenset | None:
    """Every character a repeated body can consume, when it is made of single-character items."""
    chars: set = set()
    for op, arg in sub:
        if op in _REPEATS:
            inner = _repeat_chars(arg[2])
        elif op == C.SUBPATTERN:
            inner = _repeat_chars(arg[-1])
        elif op == C.BRANCH:
            parts = [_repeat_chars(b) for b in arg[1]]
            inner = None if any(p is None for p in parts) else frozenset().union(*parts)
        elif op == C.AT:
            continue
        else:
            inner = _char_set(op, arg)
        if inner is None:
            return None
        chars |= inner
    return frozenset(chars)


def _delimited(sub) -> bool:
    """True when a repeated body starts or ends with a character its inner repetitions
    cannot match (``( [A-Z][a-z]+)*``): each iteration then has one way to begin, so
    the nesting cannot blow up."""
    inner_chars: set = set()
    for _low, _high, body in _variable_repeats(sub):
        chars = _repeat_chars(body)
        if chars is None:
            return False
        inner_chars |= chars
    items = [(op, arg) for op, arg in sub if op != C.AT]
    while len(items) == 1 and items[0][0] == C.SUBPATTERN:
        items = [(op, arg) for op, arg in items[0][1][-1] if op != C.AT]
    for op, arg in (items[:1] + items[-1:]):
        edge = _char_set(op, arg)
        if edge is not None and not (edge & inner_chars):
            return True
    return False
