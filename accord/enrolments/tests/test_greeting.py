"""How the joint letter greets its addressee: the British form, title and surname."""

from __future__ import annotations

import pytest

from accord.enrolments.documents import greeting_name


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Dr Amina Shah", "Dr Shah"),
        ("Mrs Jane Oak", "Mrs Oak"),
        ("Mr Tom Bell", "Mr Bell"),
        ("Ms Ruth Ng", "Ms Ng"),
        ("Miss Ellen Park", "Miss Park"),
        ("Mx Sam Lee", "Mx Lee"),
        ("Professor Ada Byron King", "Professor King"),
        ("Prof. Ada King", "Prof. King"),
        ("Councillor Peter Jones", "Councillor Jones"),
        ("Cllr Peter Jones", "Cllr Jones"),
        ("Rev Dr Mary Hale", "Rev Dr Hale"),
        ("dr amina shah", "dr shah"),
        ("Sir John Major", "Sir John"),
        ("Dame Judi Dench", "Dame Judi"),
        ("Lady Brenda Hale", "Lady Hale"),
        ("Amina Shah", "Amina Shah"),
        ("Jane", "Jane"),
        ("Drew Carey", "Drew Carey"),
        ("  Dr   Amina  Shah ", "Dr Shah"),
        ("Dr", "Dr"),
        ("", "Sir or Madam"),
        ("   ", "Sir or Madam"),
    ],
)
def test_the_letter_greets_with_title_and_surname_or_the_full_name(
    name: str, greeting: str
) -> None:
    assert greeting_name(name) == greeting
