"""Every limit the numbers and sizes of a request are held to, in one place.

A public portal meets every kind of malformed request: a page number of thirty digits,
a row index written with a superscript digit, a number field of five thousand nines, a
definition nested a hundred thousand brackets deep. Past these limits the answer is the
form again with a Vietnamese message (422) or the "Yêu cầu không hợp lệ" page (400),
never a server error. Each limit is far above what a person filling a real form needs.
"""

from __future__ import annotations

MAX_DIGITS = 30  # an integer or number field (the largest amount in đồng has 15 digits)
MAX_INDEX = 1999  # a row of an array field, in a posted field name or a row button
MAX_ROWS = MAX_INDEX + 1  # rows an array field may hold
MAX_TEXT = 20_000  # characters of one posted value (a long "ghi chú" is a few hundred)
MAX_PAGE = 100_000  # ?trang= of a listing (20 a page: two million dossiers)
MAX_QUERY = 64  # a lookup's receipt or ID number, however spaced
MAX_SLUG = 64  # a service's address (its folder name)
MAX_JSON_DEPTH = 64  # nesting of a definition's JSON (the deepest of the catalogue: 12)
MAX_JSON_DIGITS = 30  # digits of one number in a definition's JSON
MAX_FILE_NAME = 120  # characters of an uploaded file's name, before its ending
MAX_UPLOAD = 2 * 1024 * 1024  # an uploaded service definition: the files, or their .zip
MAX_UNCOMPRESSED = 4 * 1024 * 1024  # ... once uncompressed, counted while reading
MAX_ENTRIES = 20  # ... entries of its .zip
MAX_DEFINITION_FILE = 512 * 1024  # one JSON file of a definition
# Rows a list of a service's form may declare (maxItems): a dossier of 200 rows prints in
# about 1.6 s, one of 2,000 would hold a worker for 16 s (bench/rows.py).
MAX_LISTED_ROWS = 200
MAX_ROW = 2 ** 63 - 1  # an offset or limit a store is asked for: what PostgreSQL's bigint holds
MAX_PIXELS = 50_000_000  # an uploaded image: a 50-megapixel phone photo; an A4 scan at 600 dpi has 35
# Objects of an uploaded PDF: pypdf reads one in some 60 µs, so 50,000 are three seconds of a
# worker. A 300-page report from an office suite has a few thousand; a scan, a few a page.
MAX_PDF_OBJECTS = 50_000
MAX_BODY = 100 * 1024 * 1024  # bytes of any request: every upload slot of a dossier at once (the catalogue's most: 65 MB)


def is_index(token: str) -> bool:
    """A row index as a person's browser writes it: ASCII digits, within MAX_INDEX.
    (``str.isdigit`` also takes "²" and "٣", which ``int`` then refuses or misreads.)"""
    return 0 < len(token) <= len(str(MAX_INDEX)) and token.isascii() and token.isdigit() \
        and int(token) <= MAX_INDEX
