"""Read the register fields of an inward letter from its OCR text.

Pages arrive joined by form feeds; page 1 carries the letterhead, number, date, subject and
addressee, so most fields are looked for there first. Labels are matched in Hindi and English
and tolerantly (a missing dot, `No:` for `No.`, extra spaces), because the text is OCR output.
e-Office stamps repeated on every page (`81829/2023/ARC-DARPG`, `Generated from eOffice by ...`)
are set aside before anything else, so they never become the subject or the sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import regex

from pipeline.model import Letter
from pipeline.text import collapse_spaces, detect_language, fold, normalise, script_of

_I = regex.IGNORECASE | regex.V1
_B = r"(?<![\p{L}\p{M}\p{N}])"  # start of a word (Devanagari-safe)
_E = r"(?![\p{L}\p{M}])"  # end of a word

# --- e-Office stamps -------------------------------------------------------------------------
_STAMP_LINES = [
    regex.compile(r"generated\s+from\s+e-?office", _I),
    regex.compile(r"\(\s*computer\s+no\.?\s*:?\s*\d+\s*\)", _I),
    regex.compile(r"^\s*I?/?\d{3,}/\d{4}/[\p{Lu}][\p{Lu}\p{N}()\-./&]*\s*$", _I),
]
_COMPUTER_FILE = regex.compile(
    r"(?:e-?)?file\s*no\.?\s*:?\s*(?P<no>[^\s()]+(?:\s[^\s()]+)?)\s*\(\s*computer\s+no", _I
)

# --- letter number --------------------------------------------------------------------------
_NO = r"(?:no|n0|nos)\b\.?"
_HI_NO = r"(?:सं(?:ख्या)?|क्र(?:मांक)?)(?:\s*[.0]|(?=\s|:|/|-))"  # `सं0` is how typists abbreviate; `संख्या-` as UP prints it
_NO_LABEL = regex.compile(
    rf"""{_B}(?P<label>
        (?:d\.?\s?o\.?|memo|o\.?\s?m\.?|endst|endorsement|letter|lr|order|circular|notification
           |ref|our\s+ref|f|file|e-?file|invoice|bill)\.?\s*{_NO}
      | {_NO}
      | पत्रांक | पृष्ठांकन(?:\s*{_HI_NO})? | पत्र\s*{_HI_NO} | अ\.?\s*शा\.?\s*(?:पत्र\s*)?{_HI_NO}
      | (?:फा|फाइल|फ़ाइल|मिसिल)\.?\s*{_HI_NO} | (?:ज्ञापन|आदेश|परिपत्र)\s*{_HI_NO}
      | पृ\.?\s*{_HI_NO} | {_HI_NO}
    )(?:-?\s*/\s*(?:[a-z][a-z0-9]{{1,11}}\.?\s*)?no\b\.?|-?(?<=[\p{{Devanagari}}.\-])/[^\s/]{{1,3}}\.(?=\s))?\s*[:\-–.]*\s*""",
    _I | regex.VERBOSE,
)
# Numbers after these words are phone, identity or case numbers, not the letter's number.
_NOT_LETTER_NO = regex.compile(
    r"(?:mobile|mob|phone|ph|tel|telephone|fax|contact|whatsapp|aadhaar|aadhar|account|a/c|pan|uan|ppo|"
    r"room|roll|question|flat|house|plot|vehicle|case|petition|w\.?p\.?(?:\s*\(c\))?|o\.?a|diary|"
    r"registration|reg|gstin|ifsc|pin|serial|sl|s|sr|मोबाइल|फोन|दूरभाष|खाता|आधार|प्रश्न|कुल|वाद|याचिका|"
    r"कमरा|डायरी|रिट|मकान|क्रम)\.?\s*$",
    _I,
)
_VALUE_STOP = regex.compile(
    r"\s{2,}|\s+(?:dated|date|dt|dtd|दिनांक|दिनाँक|दि)\b[.:]?|\s+दि[.0](?!\d)|[,;]\s|\s+(?:from|to|of|the)\s"
    r"|\s+[^\s/]{1,8}\s?/\s?(?:dated|date|dt)\b",  # a bilingual date label whose Hindi half OCR garbled
    _I,
)
_REF_LABEL = regex.compile(
    rf"^\s*(?:\(?\d+[.)]\s*)?(?:संदर्भ|सन्दर्भ|reference|refs?\.?)(?!\.?\s*{_NO})\s*[:\-–.]?", _I
)

# --- dates ------------------------------------------------------------------------------------
_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan जनवरी",
        "february feb febuary फरवरी फ़रवरी फेब्रुअरी",
        "march mar मार्च",
        "april apr अप्रैल अप्रेल अप्रील",
        "may मई",
        "june jun जून",
        "july jul जुलाई",
        "august aug अगस्त",
        "september sep sept सितंबर सितम्बर",
        "october oct अक्टूबर अक्तूबर अक्टुबर",
        "november nov नवंबर नवम्बर",
        "december dec दिसंबर दिसम्बर",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[fold(_name)] = _num
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH = rf"(?P<mon>{_MONTH_ALT}){_E}\.?"
_DAY = r"(?P<d>[0-3]\s?\d|\d)(?:\s*(?:st|nd|rd|th))?"  # "2 3 MAY 2025": a date stamp's spaced digits
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DATE_FORMS = [
    regex.compile(
        r"(?<![\d/])(?P<d>[0-34]?\d)\s?[./-]\s?(?P<m>[014]?\d)\s?[./-]\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d/]|-\p{L})"
    ),
    # a one-figure day after a lone figure and a space is not a date: "9 3 MAY 2025" is a
    # stamp's "2 3" misread, not the 3rd ("1 12 May 2025", a serial and a date, still is one)
    regex.compile(
        rf"(?<!\d)(?<!(?:^|\D)\d\s(?=\d(?!\d))){_DAY}(?:\s+of)?[\s./,-]*{_MONTH}[\s./,-]*{_YEAR}(?!\d)", _I
    ),
    regex.compile(rf"{_B}{_MONTH}\s*(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s*,?\s*{_YEAR}(?!\d)", _I),
]
# A rubber date stamp ("1 3 MAY 2025") whose year's last figures the ink smudged ("20%", "20?5"),
# or whose first figure, a 2, came out as another (the stamp's 2 is read 7 as often as not: "70%")
_STAMP_DATE = regex.compile(
    rf"(?<!\d|(?:^|\D)\d\s){_DAY}[\s./,\-«»'\"`‘’]*{_MONTH}[\s./,-]*(?P<y>[2-7Z][0O]\S{{1,2}})(?!\S)", _I
)
_STRAY = " :.-–,`'\"‘’«»*"  # punctuation and ink specks OCR reads between a date's label and the date
_DATE_LABEL = regex.compile(
    r"(?:(?<![\p{L}\p{M}])(?:दिनांक|दिनाँक|दिनाक|दि)\s*[.:०0]?(?:\s*/\s*(?:dated|date|dt)\b\.?|/[^\s:/]{1,6}(?=\s*:))?|\b(?:dated|date|dt|dtd)\b\.?)"
    r"\s*[:\-–.]*\s*(?:the\s+)?",
    _I,
)

# --- subject, salutation, addressee, sender -------------------------------------------------
# `Sub:` is also read `Suh:`, `Svb:` or `5ub:` by OCR on a faint or thickened scan, and an ink
# speck in the margin can come before the label (`. विषय/Subject:`); firms write `Re:` or `Regarding:`
_SUBJECT_LABEL = regex.compile(
    r"^\s*(?:[.,'`‘’|*]\s*)?(?:[^\s/]{1,8}\s?/\s?subject\s*[:\-–—.]*|विषय(?:\s*/\s*(?:sub(?:ject)?\.?|[^\s:]{1,10}(?:\s[^\s:]{1,4})?(?=\s*:)))?\s*[:\-–—.]*|subject\s*[:\-–—.]*|[s5][uv][bh]j?\s*[.:\-–—]+\s*[:\-–—]?|(?:re|regarding)\s*:[\-–—]?)\s*",
    _I,
)
_SALUTATION = regex.compile(
    r"^\s*(?:महोदय|महोदया|मान्यवर|श्रीमान(?:\s*जी)?\s*,|प्रिय|sir|madam|dear|respected|ma'?am|madan)\b", _I
)
_SUBJECT_END = regex.compile(
    r"(?:\breg(?:arding)?\.?|\bin\s+r/o|\breg\.|के\s+(?:संबंध|सम्बन्ध|सम्बंध|संबन्ध)\s+में|बाबत|विषयक)\s*[.।]?\s*$", _I
)
_TO_LABEL = regex.compile(r"^\s*(?:सेवा\s*में|प्रति\s*[,:]?\s*$|to\s*[,:]?\s*$|to\s*[,:]\s+\S)", _I)
_FROM_LABEL = regex.compile(r"^\s*(?:प्रेषक\s*[,:\-–]*|from\s*(?:[,:\-–]+|$))\s*", _I)
_COPY_LABEL = regex.compile(
    r"^\s*(?:प्रतिलिपि|प्रति\s*लिपि|पृष्ठांकन|copy\s+(?:to|forwarded)|endst|c\.?c\.?\s*:)", _I
)
_CLOSING = regex.compile(
    r"^\s*(?:भवदीय|भवदीया|आपका|आपकी|प्रार्थी|निवेदक|प्रार्थिनी|yours|faithfully|sincerely)\b", _I
)
_ORG_WORDS = regex.compile(
    r"\b(?:ministry|department|dept|office|directorate|commission|organi[sz]ation|board|corporation|"
    r"court|tribunal|secretariat|sabha|authority|council|institute|university|bank|limited|ltd|"
    r"nigam|collectorate|municipal|police|member\s+of\s+parliament|m\.?p\.?|m\.?l\.?a\.?|minister|"
    r"commissioner|collector|officer|magistrate|director|secretary|company|enterprises|traders|"
    r"services|agency|trust|society|samiti|cell|m/s)\b|मैसर्स"
    r"|मंत्रालय|विभाग|कार्यालय|निदेशालय|आयोग|संगठन|बोर्ड|निगम|न्यायालय|सचिवालय|सभा|प्राधिकरण|परिषद|"
    r"संस्थान|विश्वविद्यालय|शासन|सांसद|विधायक|मंत्री|आयुक्त|अधिकारी|निदेशक|सचिव|समिति|प्रकोष्ठ|बैंक",
    _I,
)
_MINISTRY = regex.compile(r"^(?:ministry\s+of|[\p{L}\p{M} ]+मंत्रालय$)", _I)
_DEPARTMENT = regex.compile(r"^(?:department\s+of|[\p{L}\p{M} ]+विभाग$)", _I)
_GENERIC_GOVT = regex.compile(
    r"^\W*(?:government\s+of\s+india|govt\.?\s+of\s+india|भारत\s+सरकार|[\p{L}\p{M} ]+\s+(?:सरकार|शासन)|"
    r"government\s+of\s+[\p{L} ]+)\W*$",
    _I,
)
_ADDRESS = regex.compile(
    r"\b\d{6}\b|\d{3}\s?\d{3}$|website|e-?mail|www\.|@|\btel\b|phone|fax|bhawan|bhavan|marg|road|nagar|"
    r"place|floor|block|sector|भवन|मार्ग|नगर|फ्लोर|ब्लॉक|दूरभाष",
    _I,
)
_MARKING = regex.compile(
    r"^\W*(?:अति\s*तत्काल|तत्काल|अत्यावश्यक|गोपनीय|गुप्त|most\s+immediate|immediate|urgent|confidential|"
    r"secret|top\s+secret|by\s+speed\s+post|speed\s+post|registered|court\s+case|e-?office/?\s*web\s+circulation)\W*$",
    _I,
)


@dataclass(frozen=True)
class _Line:
    page: int  # 1-based
    index: int  # line number within its page
    text: str


def extract_letter(text: str, received_on: date | None = None) -> Letter:
    """The letter's number, date, subject, sender, references and e-file numbers from its OCR text."""
    received_on = received_on or date.today()
    pages = [normalise(p) for p in text.split("\f")]
    stamp_lines, file_numbers = _find_stamps(pages)
    lines = [
        _Line(pno, i, line)
        for pno, page in enumerate(pages, start=1)
        for i, line in enumerate(page.split("\n"))
        if collapse_spaces(line) not in stamp_lines
    ]
    # a blank first page (the back of a sheet scanned first) is passed over
    first = next((ln.page for ln in lines if ln.text.strip()), 1)
    page1 = [ln for ln in lines if ln.page == first]
    subject_at, subject = _subject(page1)
    letter_no, no_line = _letter_no(page1, subject_at)
    letter_date = _letter_date(page1, no_line, subject_at, received_on)
    numbers = _file_numbers(lines, letter_no) + file_numbers
    if letter_no is None and file_numbers:
        letter_no = file_numbers[0]
    body = "\n".join(ln.text for ln in lines)
    return Letter(
        letter_no=letter_no,
        letter_date=letter_date,
        subject=subject,
        sender=_sender(lines, page1, subject_at),
        references=_references(page1),
        file_numbers=tuple(dict.fromkeys(numbers)),
        language=detect_language(body),
    )


def _find_stamps(pages: list[str]) -> tuple[set[str], list[str]]:
    """Lines e-Office stamps on the pages (by pattern, or repeated on most pages) and their file numbers."""
    stamps: set[str] = set()
    numbers: list[str] = []
    counts: dict[str, int] = {}
    for page in pages:
        for line in {collapse_spaces(x) for x in page.split("\n")}:
            if not line:
                continue
            counts[line] = counts.get(line, 0) + 1
            if any(p.search(line) for p in _STAMP_LINES):
                stamps.add(line)
                m = _COMPUTER_FILE.search(line)
                if m:
                    numbers.append(_clean_number(m.group("no")))
    if len(pages) >= 3:
        stamps |= {
            line
            for line, n in counts.items()
            if n >= len(pages) - 1 and regex.search(r"\d+/\d+", line) and len(line) < 80
        }
    return stamps, [n for n in numbers if n]


# --- letter number ----------------------------------------------------------------------------


def _clean_number(value: str) -> str:
    """A number as printed, without the spaces OCR puts around its separators or stray end punctuation."""
    value = collapse_spaces(regex.split(r"\s[|।]\s", value)[0])
    # An e-Office number always starts "E-": OCR of a Hindi page reads that E as £, € or 6.
    value = regex.sub(r"(?<![\p{L}\p{N}])(?:[£€]E|[£€6])-(?=\s?\d{4,7}(?:/20\d\d-\d\d|\)))", "E-", value)
    # a second "No." OCR garbled (N0., \o., or 0. where the N was lost; after a bilingual label's /)
    value = regex.sub(
        r"^[\s/]*(?:(?:N|\\)[o0O०]{1,2}[.:]{1,2}\s*|[o0O०]{1,2}[.:]{1,2}\s+)(?=\S*\d)", "", value
    )
    # Office codes are letters: a 0 closing a run of capitals (CM0, DA0) is the letter O.
    value = regex.sub(r"(?<=(?:^|[/\-(])[A-Z]{2,})0(?=$|[/\-)])", "O", value)
    # Within a run of figures an O is a 0 and an l or I a 1 (2O25, 48l76); within a run of small
    # letters a 0 is an o and a 1 an l (Rationa1isation). At a run's end either can be meant:
    # `Gen1` may be Genl (general) or section 1, so it is left as read.
    value = regex.sub(r"(?<=\d)O(?=\d)", "0", value)
    value = regex.sub(r"(?<=\d)[lI](?=\d)", "1", value)
    value = regex.sub(r"(?<=\p{Ll})0(?=\p{Ll})", "o", value)
    value = regex.sub(r"(?<=\p{Ll})1(?=\p{Ll})", "l", value)
    value = regex.sub(r"\s*([/\-])\s*", r"\1", value).strip(" .,;:|।-–[]")
    if "/" in value:
        value = regex.sub(r"(?<=/\d)\s(?=\d+$)", "", value)
    if value.startswith("(") and value.count("(") > value.count(")"):
        value = value[1:]
    if value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1]
    return value.strip(" .,;:|।-–/`'‘’")  # and ink specks OCR reads as quotes


def _number_candidates(line: str) -> list[tuple[int, str, str]]:
    """(start, label, value) of each labelled number on one line."""
    found = []
    for m in _NO_LABEL.finditer(line):
        before = line[: m.start()]
        if _NOT_LETTER_NO.search(before[-20:]):
            continue
        rest = line[m.end() :]
        stop = _VALUE_STOP.search(rest)
        value = _clean_number(rest[: stop.start()] if stop else rest)
        if value.count(")") > value.count("("):
            value = value.rstrip(")")
        if not regex.search(r"\d", value) or len(value) > 70:
            continue
        if _DATE_FORMS[0].fullmatch(value):
            continue
        found.append((m.start(), collapse_spaces(m.group("label")), value))
    return found


def _letter_no(page1: list[_Line], subject_at: int | None) -> tuple[str | None, _Line | None]:
    """The best labelled number on page 1: near the top, before the subject, at a line's start."""
    best: tuple[float, str, _Line] | None = None
    for order, line in enumerate(page1):
        if _REF_LABEL.match(line.text) or _SUBJECT_LABEL.match(line.text) and order == subject_at:
            continue
        for start, label, value in _number_candidates(line.text):
            generic = fold(label).rstrip(".:") in {"संख्या", "सं", "क्रमांक", "क्र", "no", "n0"}
            at_start = not line.text[:start].strip() or bool(regex.search(r"\s{2,}$", line.text[:start]))
            shaped = bool(regex.search(r"[/\-]", value))
            if generic and not (at_start or shaped):
                continue
            score = 3.0 * at_start + 2.0 * shaped + 1.0 * (not generic)
            if subject_at is not None and order > subject_at:
                score -= 4.0
            score -= order * 0.05
            if best is None or score > best[0]:
                best = (score, value, line)
    return (best[1], best[2]) if best else (None, None)


def _file_numbers(lines: list[_Line], letter_no: str | None) -> list[str]:
    """Numbers labelled as files (F. No., File No., फा. सं.), and the letter number when it is one."""
    found = []
    for line in lines:
        for _, label, value in _number_candidates(line.text):
            if regex.match(r"(?:e-?)?f(?:ile)?\b|फा|फ़ा|मिसिल", fold(label)):
                found.append(value)
    if letter_no and regex.search(r"(?<![\p{L}])e-\d{3,}/\d{4}", letter_no, _I):
        found.append(regex.search(r"e-\d{3,}/\d{4}(?:-\d\d)?", letter_no, _I).group(0))
    return found


# --- dates --------------------------------------------------------------------------------------


def parse_date(text: str, received_on: date | None = None) -> date | None:
    """The first date in `text` (day first), or None; month-first only when day-first is in the future."""
    received_on = received_on or date.today()
    text = text.replace("\u093c", "")  # nukta: फ़रवरी and फरवरी alike
    best: tuple[int, date] | None = None
    for form in _DATE_FORMS:
        for m in form.finditer(text):
            parsed = _to_date(m, received_on)
            if parsed and (best is None or m.start() < best[0]):
                best = (m.start(), parsed)
                break
    return best[1] if best else None


def _to_date(m: regex.Match[str], received_on: date) -> date | None:
    year = int(m.group("y"))
    if year < 100:
        year += 2000 if year <= received_on.year % 100 + 1 else 1900
    day_s = regex.sub(r"\s", "", m.group("d"))
    month_s = m.group("m") if "m" in m.groupdict() and m.group("m") else None
    month = int(month_s) if month_s else _MONTHS[fold(m.group("mon"))]
    options = [(int(day_s), month)]
    if month_s:
        options.append((month, int(day_s)))
    # Tesseract's Hindi model reads an ASCII 1 as 4 ("03-44-25"): tried only when nothing else fits.
    repaired = [(day_s.replace("4", "1"), month_s)]
    if month_s:
        repaired.append((day_s, month_s.replace("4", "1")))
    options += [(int(d), int(mo) if mo else month) for d, mo in repaired if (d, mo) != (day_s, month_s)]
    for d, mo in options:
        try:
            value = date(year, mo, d)
        except ValueError:
            continue
        if value <= received_on and year >= 1950:
            return value
    return None


def _letter_date(
    page1: list[_Line], no_line: _Line | None, subject_at: int | None, received_on: date
) -> date | None:
    """The labelled date beside the number, else the first labelled one, else an unlabelled one at the top."""
    ordered = list(page1)
    if no_line is not None:
        ordered.remove(no_line)
        ordered.insert(0, no_line)
    limit = subject_at if subject_at is not None else min(len(page1), 25)
    for line in ordered:
        order = page1.index(line)
        if _cites_other_letter(line.text) or (order > limit and line is not no_line):
            continue
        for m in _DATE_LABEL.finditer(line.text):
            rest = line.text[m.end() :]
            parsed = _labelled_date(rest, received_on)
            if parsed is None and not regex.search(r"[\p{L}\p{M}]", rest):
                parsed = _date_below(page1, line, received_on)  # the label ends its line
            if parsed:
                return parsed
    for line in page1[: limit + 1]:
        if _cites_other_letter(line.text) or _SUBJECT_LABEL.match(line.text):
            continue
        parsed = parse_date(_without_numbers(line.text), received_on)
        if parsed:
            return parsed
    for line in page1[limit + 1 :]:  # an application dated at the foot, beside the signature
        m = _DATE_LABEL.match(line.text.strip())
        if m and not _cites_other_letter(line.text) and _starts_with_date(line.text.strip()[m.end() :]):
            return parse_date(line.text.strip()[m.end() :], received_on)
    return None


def _starts_with_date(text: str) -> bool:
    text = text.replace("\u093c", "").lstrip(_STRAY)
    return any(form.match(text) for form in _DATE_FORMS)


def stamp_date(text: str, received_on: date) -> date | None:
    """A date stamp at the start of `text` whose year is partly unreadable (`13 MAY 20%`).

    The figures of the year that were read must agree; the rest is taken from the receipt: the
    latest such date on or before the day the letter was received, and within a year of it
    (a stamped letter reaches the office in days or weeks, not years).
    """
    m = _STAMP_DATE.match(text.replace("\u093c", "").lstrip(_STRAY))
    if not m:
        return None
    figures = "2" + m.group("y").upper().replace("O", "0")[1:]  # this century's: only 2 can lead
    day, month = int(regex.sub(r"\s", "", m.group("d"))), _MONTHS[fold(m.group("mon"))]
    if figures.isdigit() and len(figures) == 4:  # the whole year, an O read for its 0 (`2O25`)
        try:
            value = date(int(figures), month, day)
        except ValueError:
            return None
        return value if value <= received_on else None
    for year in range(received_on.year, received_on.year - 2, -1):
        if any(
            f.isdigit() and f != y for f, y in zip(figures, str(year), strict=False)
        ):  # a read figure disagrees
            continue
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value <= received_on and (received_on - value).days <= 366:
            return value
    return None


def _labelled_date(text: str, received_on: date) -> date | None:
    """The date right after a date label: written out, or a stamp with a smudged year."""
    parsed = parse_date(text[:40], received_on)
    if parsed and _starts_with_date(text[:40]):
        return parsed
    return stamp_date(text, received_on)


def _date_below(page1: list[_Line], line: _Line, received_on: date) -> date | None:
    """A date ending the line under `line`: a stamp put lower than the label it belongs to."""
    at = next(i for i, ln in enumerate(page1) if ln is line)
    below = next((ln for ln in page1[at + 1 : at + 3] if ln.text.strip()), None)
    if below is None or _cites_other_letter(below.text):
        return None
    if _SUBJECT_LABEL.match(below.text) or _REF_LABEL.match(below.text):
        return None  # a date in the subject or a reference is another day's
    text = below.text.replace("\u093c", "").rstrip(" .,|")
    for form in (*_DATE_FORMS, _STAMP_DATE):
        for m in form.finditer(text):
            if m.end() == len(text):
                found = parse_date(m.group(0), received_on) or stamp_date(m.group(0), received_on)
                if found:
                    return found
    return None


def _without_numbers(text: str) -> str:
    """The line with its labelled numbers blanked, so `5/2/2026-PS` is not read as a date."""
    for m in _NO_LABEL.finditer(text):
        rest = text[m.end() :]
        stop = _VALUE_STOP.search(rest)
        end = m.end() + (stop.start() if stop else len(rest))
        text = text[: m.start()] + " " * (end - m.start()) + text[end:]
    return text


def _cites_other_letter(text: str) -> bool:
    stripped = text.lstrip()
    # `पत्र सं./No.` with its Hindi half misread (`पत्र qo/No.`) is the letter's own label too
    garbled = regex.match(r"पत्र\s*[^\s/]{1,6}\s?/\s?(?=no\b)", stripped, _I)
    own = _NO_LABEL.match(stripped, garbled.end() if garbled else 0)
    if own and (garbled or regex.match(r"पत्र|letter|lr|memo|d\.?\s?o|अ\.?\s*शा", own.group("label"), _I)):
        text = stripped[own.end() :]  # "पत्र सं. 24/LE/2025 दिनांक ...": the letter's own number
    return bool(
        _REF_LABEL.match(text)
        or regex.search(
            r"(?:letter|पत्र|memorandum|ज्ञापन|order|आदेश|circular|परिपत्र)\b.{0,60}(?:dated|दिनांक)", text, _I
        )
    )


# --- subject and references ---------------------------------------------------------------------


def _is_stop(text: str) -> bool:
    return bool(
        not text.strip()
        or _SALUTATION.match(text)
        or _REF_LABEL.match(text)
        or _SUBJECT_LABEL.match(text)
        or _TO_LABEL.match(text)
        or _DATE_LABEL.match(text.strip())
        or regex.match(r"^\s*(?:\d+|[ivx]+|[a-z])[.)]\s", text, _I)
    )


# a line ending on one of these words goes on below, however short it looks (character counts
# are a poor measure of width on a page of Hindi and English)
_DANGLING = regex.compile(
    r"(?:\b(?:and|or|of|the|for|to|in|on|with|by|from|at|under|vs\.?)|(?<![\p{L}\p{M}])(?:एवं|तथा|व|और|के|की|का|में|से|को|हेतु))\s*$",
    _I,
)


def _continued(page1: list[_Line], first: int, head: str, max_extra: int = 2) -> str:
    """`head` followed by up to `max_extra` wrapped lines, stopping at a blank line, label or salutation."""
    parts = [head]
    full = _full_width(page1)
    previous = page1[first].text
    for line in page1[first + 1 : first + 1 + max_extra]:
        if _is_stop(line.text) or _SUBJECT_END.search(parts[-1]) or _MARKING.match(line.text):
            break
        if len(collapse_spaces(previous)) < 0.75 * full and not _DANGLING.search(previous):
            break  # the line above ended short of the margin (not on "and", "of", "के"): the subject ended there
        parts.append(line.text.strip())
        previous = line.text
    return collapse_spaces(" ".join(parts))


def _full_width(page1: list[_Line]) -> float:
    """The length of a full line of text on the page (a line that runs to the right margin)."""
    lengths = sorted((len(collapse_spaces(ln.text)) for ln in page1 if ln.text.strip()), reverse=True)
    if len(lengths) < 8:
        return 0.0  # too few lines to tell
    return float(lengths[2])  # the third longest: one or two overlong OCR lines do not count


def _subject(page1: list[_Line]) -> tuple[int | None, str | None]:
    for order, line in enumerate(page1):
        m = _SUBJECT_LABEL.match(line.text)
        if not m:
            continue
        head = line.text[m.end() :].strip()
        if not head:
            nxt = next(
                (i for i in range(order + 1, min(order + 3, len(page1))) if page1[i].text.strip()), None
            )
            if nxt is None:
                continue
            head, order_for_wrap = page1[nxt].text.strip(), nxt
        else:
            order_for_wrap = order
        subject = _continued(page1, order_for_wrap, head).strip(" :-–—,;")
        if len(subject) >= 3:
            return order, subject
    return None, None


def _references(page1: list[_Line]) -> tuple[str, ...]:
    refs: list[str] = []
    for order, line in enumerate(page1):
        m = _REF_LABEL.match(line.text)
        if not m:
            continue
        head = line.text[m.end() :].strip()
        items = [head] if head else []
        for nxt in page1[order + 1 : order + 4]:
            text = nxt.text.strip()
            if not text or _SALUTATION.match(text) or _SUBJECT_LABEL.match(text) or _REF_LABEL.match(text):
                break
            if regex.match(r"^(?:\(?\d+[.)]|\(?[ivx]+\)|\(?[a-z]\))\s", text, _I) or not items:
                items.append(text)
            elif items and not _SUBJECT_END.search(items[-1]) and len(items[-1]) > 40:
                items[-1] += " " + text
            else:
                break
        for item in items:
            item = regex.sub(r"^(?:\(?\d+[.)]|\(?[ivx]+\)|\(?[a-z]\))\s*", "", item, flags=_I)
            item = collapse_spaces(item).strip(" :-–,;")
            if item:
                refs.append(item)
    return tuple(dict.fromkeys(refs))


# --- sender -------------------------------------------------------------------------------------


def _sender(lines: list[_Line], page1: list[_Line], subject_at: int | None) -> str | None:
    top = page1[: subject_at if subject_at is not None else 20]
    body = "\n".join(ln.text for ln in page1)
    return _from_block(top) or _letterhead(page1, subject_at, body) or _signature(lines)


def _strip_line(text: str) -> str:
    return collapse_spaces(text).strip(" ,;:.-–।|")


def _from_block(page1: list[_Line]) -> str | None:
    """The lines after प्रेषक / From, up to the addressee."""
    for order, line in enumerate(page1):
        m = _FROM_LABEL.match(line.text)
        if not m:
            continue
        parts = [line.text[m.end() :]] if line.text[m.end() :].strip() else []
        for nxt in page1[order + 1 : order + 5]:
            if len(parts) >= 3 or _TO_LABEL.match(nxt.text) or _SUBJECT_LABEL.match(nxt.text):
                break
            if not nxt.text.strip():
                if parts:
                    break
                continue
            parts.append(nxt.text)
        text = ", ".join(p for p in (_strip_line(p) for p in parts) if p)
        if text:
            return text
    return None


def _in_body_script(candidates: list[str], body: str) -> str:
    """Of a bilingual letterhead's office lines, the first in the script the letter is mostly written in."""
    want = "Devanagari" if detect_language(body) == "hi" else "Latin"
    return next((c for c in candidates if script_of(c) == want), candidates[0])


def _letterhead(page1: list[_Line], subject_at: int | None, body: str) -> str | None:
    """The most specific office named in the first lines of page 1, before the number or addressee."""
    head: list[str] = []
    for order, line in enumerate(page1[:14]):
        text = line.text
        if (
            _TO_LABEL.match(text)
            or _SUBJECT_LABEL.match(text)
            or _SALUTATION.match(text)
            or (subject_at is not None and order >= subject_at)
            or _DATE_LABEL.match(text.strip())
        ):
            break
        stripped = _strip_line(text)
        if stripped and not _MARKING.match(stripped) and not _number_candidates(text):
            head.append(stripped)
    offices = [
        h
        for h in head
        if _ORG_WORDS.search(h)
        and not _ADDRESS.search(h)
        and _looks_clean(h)
        and not _GENERIC_GOVT.match(h)
        and not h.startswith("(")
    ]
    if not offices:
        return None
    first = _in_body_script(offices, body)
    at = head.index(first)
    if _MEMBER.search(first) and at > 0 and _looks_like_name(head[at - 1]):
        return f"{head[at - 1]}, {first}"  # a member's own letterhead: name, then "Member of Parliament"
    after = offices[offices.index(first) + 1 :]
    if _MINISTRY.search(first) and after and _DEPARTMENT.search(after[0]):
        return f"{after[0]}, {first}"  # Department of Expenditure, Ministry of Finance
    return first


_MEMBER = regex.compile(
    r"\b(?:member\s+of\s+(?:parliament|legislative)|m\.?\s?p\.?|m\.?\s?l\.?\s?a\.?|minister)\b|सांसद|विधायक|संसद\s+सदस्य|मंत्री",
    _I,
)


def _looks_like_name(text: str) -> bool:
    """Two to four words and nothing else: a person's name printed above a designation."""
    words = regex.findall(r"[\p{L}\p{M}.]+", text)
    return 2 <= len(words) <= 4 and not regex.search(r"\d|[,:;@/]", text) and not _ORG_WORDS.search(text)


def _looks_clean(text: str) -> bool:
    """Enough real words: OCR garbage from logos and seals is short tokens and symbols."""
    words = regex.findall(r"[\p{L}\p{M}]{2,}", text)
    letters = sum(len(w) for w in words)
    return len(words) >= 2 and letters >= 0.6 * len(regex.sub(r"\s", "", text))


def _signature(lines: list[_Line]) -> str | None:
    """Name and designation under the closing (भवदीय / Yours faithfully), before any copy list."""
    last_page = max(ln.page for ln in lines) if lines else 1
    for page in range(last_page, 0, -1):
        block = [ln for ln in lines if ln.page == page]
        end = next((i for i, ln in enumerate(block) if _COPY_LABEL.match(ln.text)), len(block))
        start = max((i for i, ln in enumerate(block[:end]) if _CLOSING.match(ln.text)), default=None)
        if start is None:
            continue
        parts = []
        for ln in block[start + 1 : end]:
            text = _strip_line(ln.text).strip("()[] ")
            if not text or not _looks_clean(text) and not regex.search(r"[\p{L}\p{M}]{3,}", text):
                continue
            if _SUBJECT_LABEL.match(text) or regex.match(r"^(?:encl|संलग्न)", text, _I):
                break
            parts.append(text)
            if len(parts) == 2:
                break
        if parts:
            return ", ".join(parts)
    return None
