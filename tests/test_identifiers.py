"""Credit codes (GB 32100-2015) and resident ID numbers (GB 11643-1999)."""
import datetime

from hypothesis import given, strategies as st

from casefile.identifiers import (
    CREDIT_ALPHABET, credit_code_check_char, id_number_check_char,
    is_valid_credit_code, is_valid_id_number)


def test_known_credit_codes_are_valid():
    assert is_valid_credit_code('91110000600037341L')
    assert is_valid_credit_code('91350100M000100Y43')


def test_credit_code_with_wrong_check_character_is_invalid():
    assert not is_valid_credit_code('91110000600037341M')


def test_credit_code_rejects_letters_outside_the_alphabet():
    for bad in 'IOZSV':
        code = '9111000060003734' + bad
        assert not is_valid_credit_code(code + credit_code_check_char(
            code.replace(bad, '1')))


def test_credit_code_rejects_wrong_length_and_types():
    assert not is_valid_credit_code('')
    assert not is_valid_credit_code('91110000600037341')
    assert not is_valid_credit_code(None)
    assert not is_valid_credit_code('91110000600037341l')  # lower case


def test_check_character_31_becomes_0():
    # find a body whose weighted sum is a multiple of 31
    body = '00000000000000000'
    assert credit_code_check_char(body) == '0'


def test_known_id_number_is_valid():
    assert is_valid_id_number('11010519491231002X')


def test_id_number_with_wrong_check_digit_is_invalid():
    assert not is_valid_id_number('110105194912310021')


def test_id_number_with_impossible_birth_date_is_invalid():
    body = '21030219990231002'  # 31 February
    assert not is_valid_id_number(body + id_number_check_char(body))


def test_id_number_born_in_the_future_is_invalid():
    body = '21030220991231002'
    assert not is_valid_id_number(body + id_number_check_char(body),
                                  today=datetime.date(2026, 11, 25))


credit_bodies = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


@given(credit_bodies)
def test_any_body_with_its_check_character_is_valid(body):
    assert is_valid_credit_code(body + credit_code_check_char(body))


@given(credit_bodies, st.sampled_from(CREDIT_ALPHABET))
def test_any_other_check_character_is_invalid(body, other):
    check = credit_code_check_char(body)
    if other != check:
        assert not is_valid_credit_code(body + other)


@given(credit_bodies, st.integers(0, 16), st.sampled_from(CREDIT_ALPHABET))
def test_a_single_changed_character_is_detected(body, position, ch):
    code = body + credit_code_check_char(body)
    changed = code[:position] + ch + code[position + 1:]
    if changed != code:
        assert not is_valid_credit_code(changed)


@given(st.dates(min_value=datetime.date(1900, 1, 1),
                max_value=datetime.date(2020, 12, 31)),
       st.integers(0, 999), st.sampled_from(['210302', '210381', '110105']))
def test_any_real_birth_date_with_check_digit_is_valid(birth, serial,
                                                       division):
    body = division + birth.strftime('%Y%m%d') + '%03d' % serial
    assert is_valid_id_number(body + id_number_check_char(body))


@given(st.text(max_size=30))
def test_validators_never_raise_on_arbitrary_text(text):
    assert is_valid_credit_code(text) in (True, False)
    assert is_valid_id_number(text) in (True, False)
