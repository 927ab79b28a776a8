"""Which language a document is written in, from the scripts its letters use.

Field reports in this domain are Arabic or English (sometimes mixed); script counts tell them apart
reliably without a statistical model. Other Latin-script languages are recorded as "en" only when
no better signal exists, so front matter should name them.
"""

from __future__ import annotations


def _is_arabic(char: str) -> bool:
    code = ord(char)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF


def detect_language(text: str, *, sample: int = 20_000) -> str:
    """ "ar", "en", or "und" when the text has too few letters to tell."""
    arabic = latin = 0
    for char in text[:sample]:
        if _is_arabic(char):
            arabic += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if arabic + latin < 3:
        return "und"
    return "ar" if arabic >= latin else "en"
