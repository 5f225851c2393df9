"""FEEL simple unary tests and literals as the STTR files use them."""

from decimal import Decimal

import pytest

from referentie_lv.sttr import feel


@pytest.mark.parametrize("test, waarde, verwacht", [
    ("-", None, True), ("-", 5, True), ("", "x", True),
    ("< 50", 49.99, True), ("< 50", 50, False), ("<50", Decimal("-1"), True),
    (">= 50", 50, True), (">=50", 49, False), ("<= 3", 3, True), ("> 3", 3, False),
    ("[20..30)", 20, True), ("[20..30)", 29.999, True), ("[20..30)", 30, False),
    ("(20..30]", 20, False), ("(20..30]", 30, True), ("]20..30[", 25, True), ("]20..30[", 30, False),
    ("true", True, True), ("true", False, False), ("false", False, True),
    ("true", 1, False),                     # a boolean is not the number 1 (FEEL kinds)
    ("1", True, False),
    ('"Toestemmingsvrij"', "Toestemmingsvrij", True), ('"a","b"', "b", True), ('"a","b"', "c", False),
    ('"a,b"', "a,b", True),                 # comma inside a string is no list separator
    ("1, [5..7], >10", 6, True), ("1, [5..7], >10", 8, False), ("1, [5..7], >10", 11, True),
    ("not(null)", None, False), ("not(null)", 0, True), ("not(null)", "", True),
    ('not("a", "b")', "c", True), ('not("a", "b")', "a", False),
    ("null", None, True), ("null", 0, False),
    ("< 50", None, False), ("< 50", "10", False),   # null or another kind: no match
    ('"10"', 10, False),
])
def test_unaire_test(test, waarde, verwacht):
    assert feel.unaire_test(test).past(waarde) is verwacht


def test_getallen_zijn_decimaal():
    assert feel.unaire_test("0.3").past(Decimal("0.1") + Decimal("0.2"))
    assert feel.unaire_test("[0.1..0.3]").past(0.3)
    assert feel.literal("12.50") == Decimal("12.5")


@pytest.mark.parametrize("tekst, waarde", [
    ('"Vergunningplicht"', "Vergunningplicht"), ("true", True), ("false", False), ("null", None),
    ("-3.5", Decimal("-3.5")), ('"met \\"quote\\""', 'met "quote"'),
])
def test_literal(tekst, waarde):
    assert feel.literal(tekst) == waarde


@pytest.mark.parametrize("tekst", [
    "stamomtrek > 3",            # an expression, not a unary test
    "date(\"2020-01-01\")",
    "count([1,2])",
    "< true",                    # comparison with a boolean has no meaning
    "[1..\"a\"]",
    '"open',
])
def test_niet_ondersteund_of_ongeldig_wordt_geweigerd(tekst):
    with pytest.raises(feel.FeelFout):
        feel.unaire_test(tekst)


def test_constanten_voor_domeinverdeling():
    assert feel.unaire_test("[20..30)").constanten() == [Decimal(20), Decimal(30)]
    assert feel.unaire_test('not("a", "b")').constanten() == ["a", "b"]
    assert feel.unaire_test("-").constanten() == []
