"""Photo captions: tell the caption text from its credit line.

"Ukrainian soldiers ... on Friday, Jan. 28, 2022. (AP Photo/Pavlo Palamarchuk)"
-> Caption(text="Ukrainian soldiers ... 2022.", credit="AP Photo/Pavlo Palamarchuk")
"""

from __future__ import annotations

import re

from ..model import Caption

# Agency and credit words that make a trailing fragment a photo credit.
_CREDIT_WORDS = (
    r"photo|photograph|image|picture|credit|courtesy|getty|reuters|afp|ap|epa|"
    r"shutterstock|alamy|pool|file|handout|illustration|video still|via"
)
# "(AP Photo/Name)", "[Reuters]" at the end.
_BRACKETED = re.compile(
    rf"\s*[(\[]((?:[^()\[\]]*\b(?:{_CREDIT_WORDS})\b[^()\[\]]*))[)\]]\s*$", re.IGNORECASE
)
# "... Photo: Name/Agency", "... Credit: X", "... REUTERS/Name" at the end.
_TRAILING = re.compile(
    r"(?:^|(?<=[\s.|–—-]))\s*((?:Photo(?:graph)?|Image|Picture|Credit|Courtesy|Illustration)s?"
    r"(?:\s+by)?\s*[:/]\s*[^.]{2,80}"
    r"|[A-Z]{2,}(?:\s[A-Z]{2,})?/[A-Z][\w.' -]{1,60}"
    r"|(?:Getty Images|Shutterstock|Alamy)[^.]{0,60})\s*$"
)


def split_credit(text: str) -> Caption | None:
    """Split a trailing photo credit off a caption; None for empty text."""
    text = " ".join(text.split())
    if not text:
        return None
    for pattern in (_BRACKETED, _TRAILING):
        match = pattern.search(text)
        if match and match.start() > 0:
            caption = text[: match.start()].rstrip(" |-–—")
            return Caption(text=caption or text, credit=match.group(1).strip())
    return Caption(text=text, credit=None)


def has_credit(text: str) -> bool:
    """True when ``text`` ends with a photo credit."""
    caption = split_credit(text)
    return caption is not None and caption.credit is not None
