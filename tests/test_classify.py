"""Category, priority, security and section from the shipped config/categories.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.classify import classify, due_days, load_rules
from pipeline.errors import ConfigError
from pipeline.extract import extract_letter
from pipeline.model import Category, Classification, Priority, Security
from tests.test_extract import (
    CIRCULAR_HINDI,
    COURT_ENGLISH,
    DO_SECRET,
    EOFFICE,
    FIXTURES,
    GRIEVANCE_HINDI,
    INVOICE,
    OM_CONFIDENTIAL,
    PARLIAMENT,
    PLAIN_LEAVE,
    RTI_HINDI,
    VIP_MP,
)

RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "categories.toml"
RECEIVED = date(2026, 3, 2)


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_FILE)


def run(text: str, rules, drop_section: str | None = None) -> Classification:
    return classify(text, extract_letter(text, RECEIVED), rules, drop_section)


RTI_ENGLISH_NOISY = """To
The Central Public Informatlon Officer,
Ministry of Labour and Employment, New Delhi.

Subject: Application under the Rigth to Infromation Act, 2005.

Sir,
Kindly provide the following information under section 6(1) of the Act:
1. Number of posts filled in 2O24-25.
I enclose an Indian Postal Order of Rs. 1O as application fee.

Yours faithfully,
Priya Singh
"""

COURT_HINDI = """माननीय उच्च न्यायालय, इलाहाबाद खंडपीठ लखनऊ
रिट याचिका संख्या 1234/2025
रामस्वरूप बनाम उत्तर प्रदेश राज्य व अन्य

पत्रांक: 88/विधि/2026   दिनांक: 18.02.2026
विषय: उपर्युक्त याचिका में प्रति शपथ पत्र दाखिल करने के संबंध में |
"""

GRIEVANCE_CPGRAMS = """Government of India
Department of Pension & Pensioners' Welfare

No. PG/2026/4471                                Date: 11.02.2026
Subject: Public grievance received through CPGRAMS - Registration No. DOPPW/E/2026/0001234.

Sir,
The grievance of Shri Om Prakash regarding non-receipt of pension is forwarded for redressal.
"""

RAJYA_SABHA_HINDI = """अति तत्काल
राज्य सभा
अतारांकित प्रश्न संख्या 567
दिनांक 05.03.2026 को उत्तर दिए जाने के लिए

विषय: ग्रामीण क्षेत्रों में डाकघरों की संख्या |
"""


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (RTI_HINDI, Category.RTI),
        (RTI_ENGLISH_NOISY, Category.RTI),
        (COURT_ENGLISH, Category.COURT),
        (COURT_HINDI, Category.COURT),
        (GRIEVANCE_HINDI, Category.GRIEVANCE),
        (GRIEVANCE_CPGRAMS, Category.GRIEVANCE),
        (PARLIAMENT, Category.PARLIAMENT),
        (RAJYA_SABHA_HINDI, Category.PARLIAMENT),
        (VIP_MP, Category.VIP),
        (CIRCULAR_HINDI, Category.CIRCULAR),
        (OM_CONFIDENTIAL, Category.OFFICE_MEMORANDUM),
        (DO_SECRET, Category.DO_LETTER),
        (INVOICE, Category.INVOICE),
        (PLAIN_LEAVE, Category.LETTER),
    ],
    ids=lambda v: v if isinstance(v, Category) else None,
)
def test_category(text: str, category: Category, rules) -> None:
    result = run(text, rules)
    assert result.category is category
    assert 0.0 <= result.confidence <= 1.0


def test_confidence_is_higher_for_a_clear_letter(rules) -> None:
    clear = run(RTI_HINDI, rules)
    plain = run(PLAIN_LEAVE, rules)
    assert clear.confidence > plain.confidence
    assert clear.confidence >= 0.7


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        (COURT_ENGLISH, Priority.MOST_IMMEDIATE),  # "MOST IMMEDIATE" is not also plain "Immediate"
        (PARLIAMENT, Priority.MOST_IMMEDIATE),
        (RAJYA_SABHA_HINDI, Priority.MOST_IMMEDIATE),  # अति तत्काल, not just तत्काल
        (GRIEVANCE_HINDI, Priority.IMMEDIATE),
        ("URGENT\nNo. 5/2026\nSubject: Supply of forms\n", Priority.IMMEDIATE),
        (PLAIN_LEAVE, Priority.PRIORITY),
        (VIP_MP, Priority.NORMAL),
        (
            "No. 1/2026\nSubject: Review\n\nSir,\nPlease take immediate action and treat it as urgent.\n",
            Priority.NORMAL,
        ),
    ],
)
def test_priority_markings(text: str, priority: Priority, rules) -> None:
    assert run(text, rules).priority is priority


@pytest.mark.parametrize(
    ("text", "security"),
    [
        (OM_CONFIDENTIAL, Security.CONFIDENTIAL),
        (DO_SECRET, Security.SECRET),
        ("गोपनीय\nपत्रांक: 12/गो./2026\nविषय: वार्षिक प्रविष्टि\n", Security.CONFIDENTIAL),
        ("गुप्त\nविषय: सुरक्षा व्यवस्था |\n", Security.SECRET),
        # the word inside a sentence is not a marking; nor is a Secretary or Shri Gupta
        (PLAIN_LEAVE, Security.NORMAL),
        (
            "To\nThe CPIO\n\nSubject: RTI application\n\nSir,\nPlease do not withhold this as confidential "
            "information under RTI, since the Secretary and Shri R. Gupta have already seen it.\n",
            Security.NORMAL,
        ),
        ("प्रेषक: श्री राम गुप्ता, सचिव\nविषय: बैठक\n", Security.NORMAL),
    ],
)
def test_security_markings(text: str, security: Security, rules) -> None:
    assert run(text, rules).security is security


def test_routing_by_category_keyword_and_fallbacks(rules) -> None:
    assert run(RTI_HINDI, rules).section == "RTI Cell"
    assert run(COURT_HINDI, rules).section == "Legal"
    assert run(INVOICE, rules).section == "Accounts"
    assert run(VIP_MP, rules).section == "Accounts"  # "pension" in the subject routes it before vip
    assert run(PLAIN_LEAVE, rules).section == "Establishment"  # "leave"
    plain = "No. 3/2026\nSubject: Supply of drinking water coolers\n\nSir,\n"
    assert run(plain, rules, drop_section="Scanner-2").section == "Scanner-2"
    assert run(plain, rules).section == rules.default_section == "Dak"


def test_due_days(rules) -> None:
    assert due_days(rules, Category.RTI) == 30
    assert due_days(rules, "grievance") == 21
    assert due_days(rules, Category.VIP) == 15
    assert due_days(rules, Category.CIRCULAR) is None


def test_eoffice_letter_from_darpg_is_not_a_grievance(rules) -> None:
    # the sender's name contains "Public Grievances"; the letter is an ordinary request
    assert run(EOFFICE, rules).category is not Category.GRIEVANCE


def test_epfo_circulars_are_circulars(rules) -> None:
    for name in ("Advance_UnderPara_68B-7_Self-Declaration", "circular_transfer_claims"):
        text = (FIXTURES / f"{name}.ocr.txt").read_text(encoding="utf-8")
        assert classify(text, extract_letter(text, date(2025, 12, 31)), rules).category is Category.CIRCULAR
    # a circular forwarding an Office Memorandum is still the circular
    text = (FIXTURES / "Circular_DAInstalmentdated17042025.ocr.txt").read_text(encoding="utf-8")
    result = classify(text, extract_letter(text, date(2025, 12, 31)), rules)
    assert result.category is Category.CIRCULAR
    assert result.section == "Accounts"  # Dearness Relief


def test_bad_rules_files_raise_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "categories.toml"
    bad.write_text('[categories.poetry]\ncues = ["sonnet"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown category 'poetry'"):
        load_rules(bad)
    bad.write_text("[categories.rti\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(tmp_path / "missing.toml")


def test_rules_are_data(tmp_path: Path) -> None:
    """A new cue in the file changes the decision; nothing about categories is in the code."""
    custom = tmp_path / "categories.toml"
    custom.write_text(
        '[categories.invoice]\ndue_days = 10\ncues = [{ text = "drinking water coolers", weight = 9 }]\n'
        '[[routing]]\nsection = "Stores"\ncategory = ["invoice"]\n',
        encoding="utf-8",
    )
    custom_rules = load_rules(custom)
    text = "No. 3/2026\nSubject: Supply of drinkng water colers\n\nSir,\n"
    result = run(text, custom_rules)
    assert (result.category, result.section) == (Category.INVOICE, "Stores")
    assert due_days(custom_rules, Category.INVOICE) == 10


def test_a_letter_sent_round_to_all_offices_is_a_circular() -> None:
    text = (
        "Employees Provident Fund Organisation\nHead Office\nNo. HRM-8/V/25(9)94/1343   Date: 24.04.2025\n"
        "To,\nAll Additional Central P.F. Commissioners (Zones),\nAll RPFCs/OIC-in-Charge of Region\n"
        "Subject: Revised entitlement for leased residential accommodation for officers-reg.\nSir,\n"
        "I am directed to convey that the revised rates for hiring of accommodation are as under.\n"
    )
    rules = load_rules(RULES_FILE)
    assert classify(text, extract_letter(text), rules).category is Category.CIRCULAR
    one = text.replace("All RPFCs/OIC-in-Charge of Region\n", "")
    assert classify(one, extract_letter(one), rules).category is Category.LETTER
