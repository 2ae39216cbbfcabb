"""The identity-number checks (python-stdnum underneath): what they accept and refuse, including where they
differ from the hand-written checks they replaced (see workflow/fields.py)."""
from __future__ import annotations

import pytest

from workflow.fields import valid_credit_code, valid_resident_id


@pytest.mark.parametrize("number", [
    "11010519491231002X",  # check character X
    "520102198503174210",
    "520102200002290029",  # 29 February of a leap year
    "000000180001010018",  # the region code is not checked (nor was it)
    # Refused by stdnum's region check, which wants the code in force in the year of birth; accepted here:
    "520115199001010028",  # 观山湖区 (2012) on the card of someone born in 1990
    "110111196001010014",  # 房山区 (1986), born 1960
    "830000199001010020",  # Taiwan residents' residence permit: 830000 is not in stdnum's table
    "810000199001010027",
])
def test_valid_resident_ids(number):
    assert valid_resident_id(number)


@pytest.mark.parametrize("number", [
    "110105194912310021",  # wrong check character
    "520102198503174211",
    "520102199902290029",  # 29 February of a common year
    "520102198502304212",  # 30 February (check character right for these digits)
    "11010519491231002x",  # lower-case x: stdnum would upper-case it; text is kept as typed, so refused
    " 11010519491231002X",  # stdnum would strip it; refused as before
    "11010519491231002",  # 17 characters
    "110105491231002",  # the old 15-digit number
    "",
    # Newly refused: full-width digits, which the old check (a regex \d) accepted.
    "１１０１０５１９４９１２３１００２X",
])
def test_invalid_resident_ids(number):
    assert not valid_resident_id(number)


@pytest.mark.parametrize("code", [
    "91520000MA6DKQ1A0P",
    "91520000MA6DL1K80D",
    "52520000MJ00001233",
    "31520000MD0000000W",  # 司法行政: a law firm
    # GB 32100 registration authorities coded by a letter; stdnum refuses them, accepted here as before.
    "N2520115MF00000007",  # 农业: a village collective economic organisation
    "A1100000MA0000000C",
    "Y1520000MA0000000T",
])
def test_valid_credit_codes(code):
    assert valid_credit_code(code)


@pytest.mark.parametrize("code", [
    "91520000MA6DKQ1A0Q",  # wrong check character
    "91520000ma6dkq1a0p",  # lower case: stdnum would upper-case it; refused as before
    "91520000-MA6DKQ1A0P",  # stdnum would drop the dash; refused as before
    "91520000MA6DKQ1A0",  # 17 characters
    "91520000MA6DKQIA0P",  # I is not in the alphabet
    "12345",
    "",
    # Newly refused (stdnum): letters where GB 32100 has digits, check character right.
    "9A520000MA0000000L",  # entity type
    "9152010AMA00000006",  # region code
    "N252011AMF0000000F",  # region code after a letter authority
    "B1520000MA0000000E",  # a letter authority other than A, N, Y
])
def test_invalid_credit_codes(code):
    assert not valid_credit_code(code)
