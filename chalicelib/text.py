"""How Haat compares words a person typed into a spreadsheet: headers, district names, vocabularies."""

from __future__ import annotations

import re
import unicodedata

_SAME_SOUND = str.maketrans({"\u0901": "\u0902"})  # chandrabindu (गाँव) and anusvara (गांव) are one


def fold(text: str) -> str:
    """'  Mobile No. ' -> 'mobileno'; 'गाँव' == 'गांव': case, spaces, punctuation and zero-width
    joiners never matter, letters, marks and digits of every script do."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SAME_SOUND)
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LMN")


def tidy(text: str) -> str:
    """A cell as a person meant it: NFC, no outer spaces, inner runs of spaces as one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
