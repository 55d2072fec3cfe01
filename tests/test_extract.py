"""Field extraction from OCR text: Hindi, English and bilingual letters, clean and noisy."""

from __future__ import annotations

from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from pipeline.extract import extract_letter, parse_date, stamp_date
from pipeline.text import detect_language, normalise, tokenise

FIXTURES = Path(__file__).parent / "fixtures" / "epfo"
RECEIVED = date(2026, 3, 2)


def similar(a: str | None, b: str) -> float:
    return SequenceMatcher(None, (a or "").casefold(), b.casefold()).ratio()


# --- text utilities -------------------------------------------------------------------------------


def test_normalise_digits_visarga_danda_and_joiners() -> None:
    out = normalise("विषयः अवकाश स्वीकृति |\nदिनांकः २३.०२.२०२६\nअतः आदेश दि\u200dया जाता है ||")
    assert "विषय: अवकाश स्वीकृति।" in out
    assert "दिनांक: 23.02.2026" in out
    assert "अतः" in out  # a real visarga inside a sentence stays
    assert "\u200d" not in out and out.endswith("॥")
    assert normalise("Table | column") == "Table | column"  # pipes in English are left alone


def test_tokenise_keeps_vowel_signs() -> None:
    assert tokenise("सूचना का अधिकार, RTI-2005") == ["सूचना", "का", "अधिकार", "RTI", "2005"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("सेवा में, जिलाधिकारी महोदय, वाराणसी। विषय: भूमि विवाद के संबंध में।", "hi"),
        ("To the Collector, Varanasi. Subject: land dispute regarding boundary wall.", "en"),
        ("विषय: Grant of Dearness Relief to pensioners के संबंध में आवश्यक कार्यवाही", "mixed"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23.02.2026", date(2026, 2, 23)),
        ("23/02/2026", date(2026, 2, 23)),
        ("23-02-26", date(2026, 2, 23)),
        ("23 फरवरी 2026", date(2026, 2, 23)),
        ("23 फ़रवरी, 2026", date(2026, 2, 23)),
        ("5 सितम्बर 2025", date(2025, 9, 5)),
        ("5 सितंबर 2025", date(2025, 9, 5)),
        ("14 अगस्त 2025", date(2025, 8, 14)),
        ("23rd February, 2026", date(2026, 2, 23)),
        ("February 23, 2026", date(2026, 2, 23)),
        ("17/Apr/2025", date(2025, 4, 17)),
        ("17 APR 2025", date(2025, 4, 17)),
        ("२३/०२/२०२६", date(2026, 2, 23)),
        ("23 . 02. 2026", date(2026, 2, 23)),
        # day-first would be 2 November 2026, after the letter arrived: read month-first instead
        ("02/11/2026", date(2026, 2, 11)),
        ("25/12/2026", None),  # in the future either way
        ("31.02.2026", None),
    ],
)
def test_parse_date_forms(text: str, expected: date | None) -> None:
    assert parse_date(normalise(text), RECEIVED) == expected


# --- whole letters ----------------------------------------------------------------------------------

RTI_HINDI = """सेवा में,
    जन सूचना अधिकारी,
    कार्यालय जिलाधिकारी, वाराणसी |

विषयः सूचना का अधकार अधिनियम, 2005 की धारा 6(1) के अंतर्गत ग्राम पंचायत
      रामपुर में कराए गए विकास कार्यों की सूचना उपलब्ध कराने के संबंध में |

महोदय,
    निवेदन है कि मुझे निम्नलिखित सूचना उपलब्ध कराने की कृपा करें |
    1. वर्ष 2024-25 में स्वीकृत कार्यों की सूची |
    2. भुगतान का विवरण |
    आवेदन शुल्क रु. 10 का पोस्टल ऑर्डर संलग्न है |

दिनांक: २३/०२/२०२६
                                            प्रार्थी
                                            रमेश चन्द्र यादव
                                            ग्राम व पोस्ट रामपुर, वाराणसी
"""

COURT_ENGLISH = """MOST IMMEDIATE
COURT CASE
OFFICE OF THE STANDING COUNSEL (CENTRAL GOVERNMENT)
HIGH COURT OF JUDICATURE AT ALLAHABAD

No. SC/LIT/2026/145                                  Dated: 23rd February, 2026

To
    The Regional Provident Fund Commissioner,
    Regional Office, Lucknow.

Sub: W.P.(C) No. 4521 of 2025, Ram Prakash Versus Union of India and others -
     filing of counter affidavit.

Ref: Your letter No. LKO/Legal/2026/12 dated 10.02.2026.

Sir,
    The above writ petition is listed for hearing on 09.03.2026 before the Hon'ble Court.
    You are requested to send the parawise comments at the earliest.

                                                   Yours faithfully,
                                                   (A. K. Srivastava)
                                                   Standing Counsel
"""

PARLIAMENT = """By Speed Post
Most Immediate
F.No. 12/3/2025-Admn
Government of India
Ministry of Labour and Employment
Shram Shakti Bhawan, Rafi Marg, New Delhi-110001

Dated the February 23, 2026

OFFICE MEMORANDUM

Subject: Lok Sabha Unstarred Question No. 1234 for answer on 05.03.2026 asked by
         Shri X regarding coverage of contract workers under the EPF
         scheme - material for reply.

The undersigned is directed to forward herewith a copy of the above question
to be answered on 05.03.2026 and to request that material for the reply may be sent
by 27.02.2026 positively.

                                                  (S. Mehta)
                                                  Under Secretary to the Government of India
"""

VIP_MP = """Rajesh Kumar Verma
Member of Parliament (Lok Sabha)
Gorakhpur, Uttar Pradesh

D.O. No. MP/GKP/2026/77                        Date: 12 जनवरी 2026

Dear Shri Sharma ji,

Subject: Non-payment of pension to Shri Hari Lal, retired employee of Gorakhpur Mills.

I am enclosing herewith a representation from Shri Hari Lal who retired in 2019 and has not
received his pension. I shall be grateful if you kindly look into the matter personally.

With regards,
                                                Yours sincerely,
                                                (Rajesh Kumar Verma)
"""

GRIEVANCE_HINDI = """तत्काल
प्रेषक,
    उप जिलाधिकारी,
    सदर, आजमगढ़ |

सेवा में,
    अधिशासी अभियंता,
    विद्युत वितरण खंड, आजमगढ़ |

पत्रांक: 456/शिका./2026      दिनांक 5 फ़रवरी 2026

विषय: जनसुनवाई पोर्टल पर प्राप्त शिकायत संख्या 40015726001234 के निस्तारण के
      संबंध में |

महोदय,
    उपर्युक्त विषयक शिकायतकर्ता श्री मोहन लाल द्वारा बिजली बिल में त्रुटि की शिकायत की गई है |
    कृपया शिकायत का गुणवत्तापूर्ण निस्तारण कर आख्या उपलब्ध कराएं |

                                                भवदीय
                                                (सुरेश कुमार)
                                                उप जिलाधिकारी, सदर
"""

CIRCULAR_HINDI = """उत्तर प्रदेश शासन
माध्यमिक शिक्षा विभाग
कार्यालय जिला विद्यालय निरीक्षक, लखनऊ

क्रमांक 1234/स्था./2026                                दि. 12.01.2026

परिपत्र

सभी प्रधानाचार्य,
राजकीय एवं सहायता प्राप्त माध्यमिक विद्यालय, जनपद लखनऊ |

विषय: शीतकालीन अवकाश के उपरांत विद्यालय खोलने के संबंध में |

उपर्युक्त विषयक शासन के निर्देशानुसार सभी संबंधित विद्यालयों को निर्देशित किया जाता है कि ...
"""

OM_CONFIDENTIAL = """CONFIDENTIAL
No. A-12011/1/2025-Estt.
Government of India
Ministry of Finance
Department of Expenditure

North Block, New Delhi
Dated the 17th January, 2026

OFFICE MEMORANDUM

Subject: Annual Performance Appraisal Reports of Group 'A' officers for the year 2024-25.

The undersigned is directed to refer to this Department's O.M. of even number dated
12.12.2025 and to say that ...
"""

DO_SECRET = """SECRET
D.O. No. 5/2/2026-PS                                       23-02-26
ANIL MEHRA
Joint Secretary
Ministry of Home Affairs

Dear Shri Rao,

Sub: Security arrangements for the visit of foreign delegation.

I write to draw your attention to ...

With regards,
Yours sincerely,
(Anil Mehra)
"""

INVOICE = """TAX INVOICE
M/s SHARMA OFFICE TRADERS
12, Hazratganj, Lucknow - 226001
GSTIN: 09ABCDE1234F1Z5

Invoice No. ST/2025-26/118          Date: 17/Apr/2025

Bill to: District Magistrate Office, Lucknow
Sl  Description              HSN     Qty   Rate    Amount
1   A4 Paper (500 sheets)    4802    20    310     6200
    CGST 9%  558   SGST 9%  558
    Grand Total Rs. 7316
"""

PLAIN_LEAVE = """PRIORITY
To,
    The District Magistrate,
    Lucknow.

From:
    Sunil Kumar, Junior Assistant,
    Collectorate, Lucknow.

Dated: 20.02.2026

Subject: Request for grant of earned leave from 02.03.2026 to 06.03.2026.

Sir,
    I request that I may be granted earned leave for five days as my mother is unwell.
    The confidential files in my charge have been handed over to Shri Ram Pal.

Yours faithfully,
Sunil Kumar
"""

EOFFICE_PAGE = """81829/2023/ARC-DARPG
File No. N-11016/6/2016-ARC-DARPG (Computer No. 2938)
Generated from eOffice by ANITA SINGH, SO(ARC), DARPG on 20/02/2026 05:12 PM
"""

EOFFICE = (
    EOFFICE_PAGE
    + """
No. N-11016/6/2016-ARC-DARPG
Government of India
Department of Administrative Reforms and Public Grievances

Sardar Patel Bhavan, New Delhi
Dated: 19th February, 2026

Subject: Compilation of best practices in e-Office implementation.

Madam/Sir,
    This Department is compiling best practices in e-Office ...
\f"""
    + EOFFICE_PAGE
    + """
2.  States are requested to send their inputs by 15.03.2026.

(R. K. Jain)
Deputy Secretary
"""
)


def test_rti_application_in_hindi() -> None:
    letter = extract_letter(RTI_HINDI, RECEIVED)
    assert letter.letter_date == date(2026, 2, 23)
    assert letter.subject is not None and letter.subject.startswith("सूचना का अधकार अधिनियम")
    assert letter.subject.endswith("संबंध में।")  # the wrapped second line is kept
    assert letter.sender is not None and "रमेश चन्द्र यादव" in letter.sender
    assert "सूचना अधिकारी" not in letter.sender  # the addressee is not the sender
    assert letter.language == "hi"


def test_court_letter_in_english() -> None:
    letter = extract_letter(COURT_ENGLISH, RECEIVED)
    assert letter.letter_no == "SC/LIT/2026/145"
    assert letter.letter_date == date(2026, 2, 23)
    assert (
        similar(
            letter.subject,
            "W.P.(C) No. 4521 of 2025, Ram Prakash Versus Union of India and others - "
            "filing of counter affidavit.",
        )
        > 0.95
    )
    assert letter.references == ("Your letter No. LKO/Legal/2026/12 dated 10.02.2026.",)
    assert letter.sender == "OFFICE OF THE STANDING COUNSEL (CENTRAL GOVERNMENT)"
    assert letter.language == "en"


def test_parliament_memorandum_with_file_number_and_three_line_subject() -> None:
    letter = extract_letter(PARLIAMENT, RECEIVED)
    assert letter.letter_no == "12/3/2025-Admn"
    assert letter.letter_date == date(2026, 2, 23)
    assert letter.subject is not None and letter.subject.endswith("scheme - material for reply.")
    assert "12/3/2025-Admn" in letter.file_numbers
    assert letter.sender == "Ministry of Labour and Employment"


def test_do_letter_from_an_mp_with_hindi_month() -> None:
    letter = extract_letter(VIP_MP, RECEIVED)
    assert letter.letter_no == "MP/GKP/2026/77"
    assert letter.letter_date == date(2026, 1, 12)
    assert letter.subject == "Non-payment of pension to Shri Hari Lal, retired employee of Gorakhpur Mills."
    assert letter.sender is not None and "Member of Parliament" in letter.sender


def test_grievance_sender_is_the_prashak_not_the_addressee() -> None:
    letter = extract_letter(GRIEVANCE_HINDI, RECEIVED)
    assert letter.letter_no == "456/शिका./2026"
    assert letter.letter_date == date(2026, 2, 5)
    assert letter.sender == "उप जिलाधिकारी, सदर, आजमगढ़"
    assert letter.subject is not None and "शिकायत संख्या 40015726001234" in letter.subject
    assert letter.subject.endswith("संबंध में।")


def test_hindi_circular_number_and_short_date_label() -> None:
    letter = extract_letter(CIRCULAR_HINDI, RECEIVED)
    assert letter.letter_no == "1234/स्था./2026"
    assert letter.letter_date == date(2026, 1, 12)
    assert letter.subject == "शीतकालीन अवकाश के उपरांत विद्यालय खोलने के संबंध में।"
    assert letter.sender is not None and "माध्यमिक शिक्षा विभाग" in letter.sender


def test_office_memorandum_unlabelled_number_date_on_its_own_line() -> None:
    letter = extract_letter(OM_CONFIDENTIAL, RECEIVED)
    assert letter.letter_no == "A-12011/1/2025-Estt"
    assert letter.letter_date == date(2026, 1, 17)
    assert letter.sender == "Department of Expenditure, Ministry of Finance"


def test_do_letter_two_digit_year_without_label() -> None:
    letter = extract_letter(DO_SECRET, RECEIVED)
    assert letter.letter_no == "5/2/2026-PS"
    assert letter.letter_date == date(2026, 2, 23)
    assert letter.subject == "Security arrangements for the visit of foreign delegation."


def test_invoice_number_and_date_on_one_line() -> None:
    letter = extract_letter(INVOICE, RECEIVED)
    assert letter.letter_no == "ST/2025-26/118"
    assert letter.letter_date == date(2025, 4, 17)


def test_from_block_and_to_block() -> None:
    letter = extract_letter(PLAIN_LEAVE, RECEIVED)
    assert letter.sender == "Sunil Kumar, Junior Assistant, Collectorate, Lucknow"
    assert letter.letter_date == date(2026, 2, 20)
    assert letter.letter_no is None


def test_eoffice_stamp_is_a_cue_not_the_subject() -> None:
    letter = extract_letter(EOFFICE, RECEIVED)
    assert letter.letter_no == "N-11016/6/2016-ARC-DARPG"
    assert letter.letter_date == date(2026, 2, 19)
    assert letter.subject == "Compilation of best practices in e-Office implementation."
    assert "N-11016/6/2016-ARC-DARPG" in letter.file_numbers
    assert letter.sender == "Department of Administrative Reforms and Public Grievances"


def test_noisy_labels_and_one_line_number_and_date() -> None:
    text = "पत्रांकः १२३/2026   दिनांकः 23.02.2026\n\nविषय - बैठक की सूचना |\n\nमहोदय,\n"
    letter = extract_letter(text, RECEIVED)
    assert (letter.letter_no, letter.letter_date, letter.subject) == (
        "123/2026",
        date(2026, 2, 23),
        "बैठक की सूचना।",
    )
    noisy = "No:E-48776/2025-26    Date :01.0l.2025\nSubject :  Review meeting\n\nSir,"
    letter = extract_letter(noisy, RECEIVED)
    assert letter.letter_no == "E-48776/2025-26"
    assert letter.subject == "Review meeting"
    assert "E-48776/2025-26" in letter.file_numbers


def test_future_date_is_dropped_and_reference_dates_are_not_the_letter_date() -> None:
    text = "No. 55/2026\nRef: letter No. 12/2025 dated 10.01.2026\nDate: 25.12.2026\nSubject: Test\n"
    assert extract_letter(text, RECEIVED).letter_date is None
    assert extract_letter("Dated: 02/11/2026\nSubject: x y", RECEIVED).letter_date == date(2026, 2, 11)


def test_empty_text_gives_empty_letter() -> None:
    letter = extract_letter("", RECEIVED)
    assert letter.letter_no is None and letter.subject is None and letter.sender is None


# --- real OCR of public EPFO circulars (fixtures/epfo/README.md) ------------------------------------

EPFO = [
    # file, letter number as printed (the handwritten dispatch number is left out where OCR lost it),
    # date, subject: all read off the page images
    (
        "Advance_UnderPara_68B-7_Self-Declaration",
        "WSU/RationalisationofAdvances/E-48776/2025-26",
        date(2025, 4, 17),
        "Advance under Para 68 B (7) based on self-declaration -Reg",
    ),
    (
        "BulkGenerationOfUAN_CertainSpecialCases",
        "WSU/Past Accumulations/E-683907/2025-26/19",
        date(2025, 4, 25),
        "Bulk generation of UAN in certain special cases-reg",
    ),
    (
        "circular_transfer_claims",
        "WSU/TransferClaim/E-52972/2025-26/07",
        date(2025, 5, 20),
        "Simplification of Transfer Claim Process- Handling of Overlapping Service Period during "
        "processing of Transfer Claim requests- reg.",
    ),
    (
        "Circular_DAInstalmentdated17042025",
        "(E- 27878) एच.आर.डी/1(71)/2020/Misc./pt/1338",
        date(2025, 4, 17),
        "Grant of additional installment of Dearness Relief to Central Government pensioners/family "
        "pensioners –Revised rate effective from 01.01.2025-reg",
    ),
]


@pytest.mark.parametrize(("name", "number", "when", "subject"), EPFO, ids=[e[0][:24] for e in EPFO])
def test_epfo_circular_ocr(name: str, number: str, when: date, subject: str) -> None:
    text = (FIXTURES / f"{name}.ocr.txt").read_text(encoding="utf-8")
    letter = extract_letter(text, date(2025, 12, 31))
    assert letter.letter_date == when
    assert similar(letter.subject, subject) >= 0.9
    assert similar(letter.letter_no, number) >= 0.8  # OCR misreads the handwritten parts
    assert letter.sender == "Employees Provident Fund Organisation"
    assert letter.language == "en"
    assert all("/" in n for n in letter.file_numbers)


def test_epfo_references_are_split() -> None:
    text = (FIXTURES / "circular_transfer_claims.ocr.txt").read_text(encoding="utf-8")
    refs = extract_letter(text, date(2025, 12, 31)).references
    assert len(refs) == 2
    assert refs[1].startswith("Pension Division Circular No: E-597451/4406 dated 29/01/2024")


# --- bilingual labels, stamps and OCR slips met on the labelled set (samples/letters.py) ----------


def test_bilingual_labels_for_number_date_and_subject() -> None:
    text = (
        "कार्यालय जिला आपूर्ति अधिकारी, करनाल\nOffice of the District Supply Officer, Karnal\n\n"
        "पत्र सं./No. DSO-2440/2025    दिनांक/Date: 19/06/2025\n\nसेवा में,\nकार्यालय जिला कृषि अधिकारी, करनाल\n\n"
        "विषय/Subject: रिट याचिका संख्या 2440/2025 में जवाबदावा प्रस्तुत करने बाबत\n\nमहोदय,\n"
    )
    letter = extract_letter(text, RECEIVED)
    assert letter.letter_no == "DSO-2440/2025"
    assert letter.letter_date == date(2025, 6, 19)
    assert letter.subject == "रिट याचिका संख्या 2440/2025 में जवाबदावा प्रस्तुत करने बाबत"


def test_own_do_number_and_date_on_one_line_is_not_a_citation() -> None:
    text = "भारत सरकार\nश्रम एवं रोज़गार मंत्रालय\nअ.शा. पत्र सं. 24/LE/2025-Coord दिनांक 03-11-25\nविषय: प्रगति\n"
    letter = extract_letter(text, RECEIVED)
    assert (letter.letter_no, letter.letter_date) == ("24/LE/2025-Coord", date(2025, 11, 3))


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("03-44-25", date(2025, 11, 3)),  # hin read 11 as 44: no month 44, so 11
        ("24-04-26", date(2026, 1, 24)),  # 24 April 2026 is after receipt: 24 January
        ("14.02.2026", date(2026, 2, 14)),  # a real 4 stays
        ("2 3 MAY 2025", date(2025, 5, 23)),  # a date stamp's spaced digits
    ],
)
def test_ocr_slips_in_dates(printed: str, expected: date) -> None:
    assert parse_date(printed, RECEIVED) == expected


def test_eoffice_number_read_with_a_pound_sign() -> None:
    letter = extract_letter("क्रमांक £-71584/2025-26 दिनांक 12.01.2026\nविषय: परिपत्र\n", RECEIVED)
    assert letter.letter_no == "E-71584/2025-26"
    assert "E-71584/2025-26" in letter.file_numbers


def test_members_letterhead_gives_name_and_house() -> None:
    text = "मनोज यादव\nसांसद, लोक सभा\nपटना\nपत्रांक 4154/JS/2025-26 दिनांक 17.09.2025\nसेवा में,\nजिलाधिकारी\nविषय: आंगनबाड़ी केंद्र\n"
    assert extract_letter(text, RECEIVED).sender == "मनोज यादव, सांसद, लोक सभा"


def test_firm_letterhead_is_the_sender_of_a_bill() -> None:
    text = (
        "M/s Shivam Computers\nGSTIN: 06ABCDE1234F1Z5\nMain Bazar, Hisar\nBill No. GS/2025-26/8616 Date: 11-09-25\n"
        "To\nThe District Supply Officer, Hisar\nSubject: Claim for payment of bill no. 8616\nSir,\n"
        "Please release the payment.\nYours faithfully,\nProprietor\nM/s Shivam Computers\n"
    )
    assert extract_letter(text, RECEIVED).sender == "M/s Shivam Computers"


def test_subject_ends_where_its_line_stops_short() -> None:
    body = "It has been observed that several employees are not marking attendance through the\n" * 6
    text = (
        "Regional Office, Employees' Provident Fund Organisation, Hisar\nNo. RO/EPFO-1734/2025\n"
        "Date: 19th June, 2025\nCIRCULAR\nSub: Biometric attendance of all employees\n" + body
    )
    assert extract_letter(text, RECEIVED).subject == "Biometric attendance of all employees"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Sub: W.P.(C) No. 4849/2025 - Rajesh Kumar vs. State of Haryana and", "others"),
        ("विषय: ग्राम पंचायत भवन की मरम्मत एवं", "रंग-रोगन के संबंध में।"),
    ],
)
def test_subject_line_ending_on_and_goes_on_below(first: str, second: str) -> None:
    # Hindi body lines hold more characters than the English subject line is wide: only the
    # dangling "and" / "एवं" tells that the subject goes on
    body = (
        "इस कार्यालय के पत्रांक दिनांक के क्रम में आपको सूचित किया जाता है कि उक्त प्रकरण में शीघ्र कार्यवाही अपेक्षित है\n" * 6
    )
    letter = extract_letter(f"No. 12/2025-Admn\n{first}\n{second}\nमहोदय,\n{body}", RECEIVED)
    assert letter.subject == f"{first.split(':', 1)[1].strip()} {second}"


def test_number_stops_at_a_garbled_bilingual_date_label() -> None:
    letter = extract_letter("Invoice No. GS/2025-26/8616 fei/Date: 11-09-25\nविषय: बीजक\n", RECEIVED)
    assert letter.letter_no == "GS/2025-26/8616"
    assert letter.letter_date == date(2025, 9, 11)


def test_bilingual_labels_whose_hindi_half_ocr_garbled() -> None:
    text = "Bill No. GS/2025-26/8616 fei /Date: 11-09-25\nसेवा में,\nकार्यालय\nfava/Subject: बीजक संख्या 1385 का भुगतान\n"
    letter = extract_letter(text, RECEIVED)
    assert (letter.letter_no, letter.subject) == ("GS/2025-26/8616", "बीजक संख्या 1385 का भुगतान")


def test_bilingual_labels_with_a_latin_word_before_no_or_a_subject_read_as_two_words() -> None:
    """`बीजक संख्या/Invoice No.:` (any one word before `No.`), and `विषय/Subject:` whose Latin half
    OCR read as two garbled words (`विषय/$प्7] 98:`)."""
    text = (
        "बीजक संख्या/Invo0ice No.: SG/2025-26/0526 दिनांक/Date: 24 अगस्त, 2025\n"
        "विषय/$प्7] 98: आपूर्ति आदेश संख्या 8052 के अंतर्गत सामग्री का बिल।\n\nमहोदय,\n"
    )
    letter = extract_letter(text, RECEIVED)
    assert (letter.letter_no, letter.letter_date) == ("SG/2025-26/0526", date(2025, 8, 24))
    assert letter.subject == "आपूर्ति आदेश संख्या 8052 के अंतर्गत सामग्री का बिल।"


def test_own_number_under_a_garbled_bilingual_label_keeps_its_date() -> None:
    """`पत्र सं./No.` read as `पत्र qo/No.`: still the letter's own line, not a letter it cites."""
    text = (
        "भारत सरकार\n\nपत्र qo/No. RD/Accts/2025/2183 दिनांक/Date: 25-09-25\n\nविषय/Subject: प्रश्न संख्या 2183\n"
    )
    letter = extract_letter(text, RECEIVED)
    assert (letter.letter_no, letter.letter_date) == ("RD/Accts/2025/2183", date(2025, 9, 25))


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("पत्रांक 3253/CM0/2025-26 दिनांक 12.01.2026", "3253/CMO/2025-26"),
        ("पत्रांक/No. N00. 802/LE/2025-26", "802/LE/2025-26"),
        ("क्रमांक £E-42581/2025-26", "E-42581/2025-26"),
        ("No. 12/A0/2025", "12/A0/2025"),  # one capital and a 0: left alone
        ("पत्र सं./ 0. DSO-2440/2025 दिनांक/Date: 19/06/2025", "DSO-2440/2025"),  # "No." lost its N
        ("क्रमांक/ N०.: 167/रिट/2025", "167/रिट/2025"),  # "/No.:" read apart from its Hindi label
        ("क्रमांक: वि.स.स./प्रश्न/2025/2455 `", "वि.स.स./प्रश्न/2025/2455"),  # an ink speck read as `
    ],
)
def test_letter_number_ocr_slips(printed: str, expected: str) -> None:
    assert extract_letter(printed + "\nविषय: परीक्षण पत्र\n", RECEIVED).letter_no == expected


@pytest.mark.parametrize(
    "label", ["Sub:", "Suh:", "Svb.", "5ub:", ". Sub:", "| Subject:", "Re:", "Regarding:-"]
)
def test_subject_label_as_printed_or_misread(label: str) -> None:
    text = (
        "Member of Legislative Assembly, Assandh\nRef. No.: MLA/KAR/2025/511\nDate : 10.04.2025\n"
        f"To\nThe Superintendent of Police, Karnal.\n{label} Representation of Shri Manoj Yadav for the\n"
        "replacement of the damaged village transformer.\nDear Madam,\n"
    )
    letter = extract_letter(text, RECEIVED)
    assert letter.subject == (
        "Representation of Shri Manoj Yadav for the replacement of the damaged village transformer."
    )


# --- date stamps and figures read as letters (EPFO circulars, ../shared/eval) -----------------


def test_stamped_date_under_its_label_with_a_smudged_year() -> None:
    # the label sits on the number's line; the stamp lower, so OCR puts it on the next line
    text = (
        "Employees Provident Fund Organisation\n"
        "No. (E-882775) HRD-1/8/2024/Misc.-Circulars 0 Date: 910\n( ) / 123 13 MAY 20%\nTo,\n"
        "All ACC (HQ)(Zones)/ACC(Zones),\nSubject: Additional charge to Accounts Officers- reg\n"
    )
    letter = extract_letter(text, RECEIVED)
    assert letter.letter_no == "(E-882775) HRD-1/8/2024/Misc.-Circulars 0"
    assert letter.letter_date == date(2025, 5, 13)  # the latest 13 May before receipt


def test_stamped_date_after_a_hindi_label_with_ink_specks() -> None:
    text = "संख्या: (E- 27878) एच.आर.डी/1(71)/2020/Misc./pt / 338 दिनांक: ` 1 7 «APR 20%\nसेवा में,\n"
    assert extract_letter(text, RECEIVED).letter_date == date(2025, 4, 17)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("28 FEB 20%", date(2026, 2, 28)),  # this year's when it is before receipt
        ("13 MAY 20?5", date(2025, 5, 13)),  # the figure read agrees
        ("13 MAY 20?4", None),  # 2024: the figure read rules out the last year, and older is no guess
        ("2 3 MAY 2O25", date(2025, 5, 23)),  # an O for the 0 of a whole year
        ("13 MAY 201", None),  # three figures read: the 1 rules out 2025 and 2026
        ("13 MAY 70%", date(2025, 5, 13)),  # the stamp's 2 read as 7: only 2 can lead this century's year
        ("13 MAY 7024", date(2024, 5, 13)),  # ... and the rest of the year was read whole
        ("13 MAY 80%", None),  # not a year at all
    ],
)
def test_smudged_stamp_year_is_the_latest_before_receipt(stamp: str, expected: date | None) -> None:
    assert stamp_date(stamp, RECEIVED) == expected
    assert extract_letter(f"No. A-1/2025 Date: {stamp}\nSubject: Test\n", RECEIVED).letter_date == expected


def test_day_after_a_stray_figure_is_not_taken_alone() -> None:
    # a stamp's "2 3 MAY 2025" read "9 3": no day begins with 9, and 3 May would be a wrong date
    assert parse_date("9 3 MAY 2025", RECEIVED) is None
    assert parse_date("2 3 MAY 2025", RECEIVED) == date(2025, 5, 23)
    # a serial number and then a date with a two-figure day is still a date
    assert parse_date("1 12 May 2025", RECEIVED) == date(2025, 5, 12)
    assert parse_date("S.No. 2 15 May 2025", RECEIVED) == date(2025, 5, 15)


@pytest.mark.parametrize(
    "text",
    [
        "श्रम मंत्रालय, नई दिल्ली\nविषय: बैठक का कार्यवृत्त 15.05.2025\n",  # दि of दिल्ली is no date label
        "Dated the\nSub: Minutes of the meeting held on 15th May, 2025\n",
        "No. 12/3/2025-Admn   Dated:\nSubject: Review of the meeting held on 15 May 2025\n",
        "No. 12/3/2025-Admn   Date:\nRef: this office letter of 15 May 2025\n",
    ],
)
def test_a_date_in_the_subject_under_an_empty_label_is_not_the_letter_date(text: str) -> None:
    assert extract_letter(text, RECEIVED).letter_date is None


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("No. E-48O76/2O25-26", "E-48076/2025-26"),  # O among figures
        ("No. E-48l76/2025-26", "E-48176/2025-26"),  # l among figures
        (
            "No: WSU/Rationa1isati0nofAdvances/E-48776/2025-26",
            "WSU/RationalisationofAdvances/E-48776/2025-26",
        ),
        ("No. DAO/Gen1/2026/9956", "DAO/Gen1/2026/9956"),  # Genl or section 1: left as read
        ("No. 12/A0/2025", "12/A0/2025"),
    ],
)
def test_figures_and_letters_mistaken_inside_a_number(printed: str, expected: str) -> None:
    assert extract_letter(printed + "\nSubject: Test letter\n", RECEIVED).letter_no == expected


@pytest.mark.parametrize(
    ("text", "number", "when"),
    [
        # Uttar Pradesh style: `संख्या-` with a hyphen, the place before the date
        (
            "उत्तर प्रदेश शासन\nराजस्व अनुभाग-4\nसंख्या- 1234/एक-4-2025-12(5)/2019\nलखनऊ: दिनांक 05 दिसम्बर, 2025",
            "1234/एक-4-2025-12(5)/2019",
            date(2025, 12, 5),
        ),
        # `सं०` and `दि०`: a Devanagari zero as the abbreviation mark, number and date on one line
        ("कार्यालय जिलाधिकारी, मेरठ\nपत्र सं० 456/स्था-2025 दि० 12.03.2025", "456/स्था-2025", date(2025, 3, 12)),
        ("कार्यालय जिलाधिकारी, मेरठ\nक्र० 789/लेखा दि० 1-4-2025", "789/लेखा", date(2025, 4, 1)),
        ("पत्रांक 45/दि0/2025 दिनांक 3.3.2025", "45/दि0/2025", date(2025, 3, 3)),
        # `संख्या-/No.` whose Latin half a Hindi model read as figures
        ("संख्या-/140. DSO-2440/2025 दिनांक/Date: 19 जून 2025", "DSO-2440/2025", date(2025, 6, 19)),
    ],
    ids=[
        "sankhya-hyphen",
        "san-zero-di-zero",
        "kra-zero",
        "di0-inside-the-number",
        "sankhya-hyphen-garbled-no",
    ],
)
def test_hindi_abbreviated_labels(text: str, number: str, when: date) -> None:
    letter = extract_letter(text + "\n\nविषय: बैठक के संबंध में।\n\nमहोदय,", date(2026, 3, 1))
    assert (letter.letter_no, letter.letter_date) == (number, when)
