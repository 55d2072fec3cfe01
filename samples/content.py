"""Wording for synthetic dak letters: places, offices, people and text for each category.

Each category function takes a seeded `random.Random`, a language ("hi" or "en") and a `Ctx` of
names and dates already drawn, and returns `Parts`: the pieces `make_samples.make_spec` assembles.
Calling the same function with a fresh `Random` of the same seed in "hi" and "en" picks the same
topic, which is how bilingual ("mixed") letters are made.
"""

# ruff: noqa: E501  (long literal sentences of letter text)
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

HI_MONTHS = (
    "जनवरी",
    "फरवरी",
    "मार्च",
    "अप्रैल",
    "मई",
    "जून",
    "जुलाई",
    "अगस्त",
    "सितम्बर",
    "अक्टूबर",
    "नवम्बर",
    "दिसम्बर",
)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")

# (district hi, district en, state hi, state en, capital hi, capital en, tehsil hi, tehsil en)
PLACES = (
    ("हिसार", "Hisar", "हरियाणा", "Haryana", "चंडीगढ़", "Chandigarh", "हांसी", "Hansi"),
    ("करनाल", "Karnal", "हरियाणा", "Haryana", "चंडीगढ़", "Chandigarh", "असंध", "Assandh"),
    ("जयपुर", "Jaipur", "राजस्थान", "Rajasthan", "जयपुर", "Jaipur", "चौमूं", "Chomu"),
    ("भोपाल", "Bhopal", "मध्य प्रदेश", "Madhya Pradesh", "भोपाल", "Bhopal", "बैरसिया", "Berasia"),
    ("लखनऊ", "Lucknow", "उत्तर प्रदेश", "Uttar Pradesh", "लखनऊ", "Lucknow", "मोहनलालगंज", "Mohanlalganj"),
    ("पटना", "Patna", "बिहार", "Bihar", "पटना", "Patna", "दानापुर", "Danapur"),
    ("देहरादून", "Dehradun", "उत्तराखण्ड", "Uttarakhand", "देहरादून", "Dehradun", "विकासनगर", "Vikasnagar"),
    ("शिमला", "Shimla", "हिमाचल प्रदेश", "Himachal Pradesh", "शिमला", "Shimla", "रामपुर", "Rampur"),
    ("रायपुर", "Raipur", "छत्तीसगढ़", "Chhattisgarh", "रायपुर", "Raipur", "आरंग", "Arang"),
    ("रांची", "Ranchi", "झारखण्ड", "Jharkhand", "रांची", "Ranchi", "बुंडू", "Bundu"),
)
VILLAGES = (
    ("रामपुरा", "Rampura"),
    ("सिसाय", "Sisai"),
    ("खेड़ी", "Kheri"),
    ("मंगाली", "Mangali"),
    ("बड़ोपल", "Badopal"),
    ("सुल्तानपुर", "Sultanpur"),
    ("नयागाँव", "Nayagaon"),
    ("धानी", "Dhani"),
)
# District offices: (hi, en, code, designation hi, designation en)
DISTRICT_OFFICES = (
    ("कार्यालय उपायुक्त, {d}", "Office of the Deputy Commissioner, {d}", "DC", "उपायुक्त", "Deputy Commissioner"),
    (
        "कार्यालय जिलाधिकारी, {d}",
        "Office of the District Magistrate, {d}",
        "DM",
        "जिलाधिकारी",
        "District Magistrate",
    ),
    (
        "कार्यालय जिला शिक्षा अधिकारी, {d}",
        "Office of the District Education Officer, {d}",
        "DEO",
        "जिला शिक्षा अधिकारी",
        "District Education Officer",
    ),
    (
        "कार्यालय मुख्य चिकित्सा अधिकारी, {d}",
        "Office of the Chief Medical Officer, {d}",
        "CMO",
        "मुख्य चिकित्सा अधिकारी",
        "Chief Medical Officer",
    ),
    (
        "कार्यालय अधीक्षण अभियंता, लोक निर्माण विभाग, {d}",
        "Office of the Superintending Engineer, PWD, {d}",
        "SE",
        "अधीक्षण अभियंता",
        "Superintending Engineer",
    ),
    ("नगर निगम, {d}", "Municipal Corporation, {d}", "MC", "आयुक्त", "Commissioner"),
    (
        "कार्यालय पुलिस अधीक्षक, {d}",
        "Office of the Superintendent of Police, {d}",
        "SP",
        "पुलिस अधीक्षक",
        "Superintendent of Police",
    ),
)
# Central ministries: (hi lines, en lines, address hi, address en, section code)
MINISTRIES = (
    (
        ("भारत सरकार", "गृह मंत्रालय"),
        ("Government of India", "Ministry of Home Affairs"),
        "नॉर्थ ब्लॉक, नई दिल्ली",
        "North Block, New Delhi",
        "Admn",
    ),
    (
        ("भारत सरकार", "कार्मिक, लोक शिकायत तथा पेंशन मंत्रालय", "कार्मिक और प्रशिक्षण विभाग"),
        (
            "Government of India",
            "Ministry of Personnel, Public Grievances and Pensions",
            "Department of Personnel and Training",
        ),
        "नॉर्थ ब्लॉक, नई दिल्ली",
        "North Block, New Delhi",
        "Estt",
    ),
    (
        ("भारत सरकार", "वित्त मंत्रालय", "व्यय विभाग"),
        ("Government of India", "Ministry of Finance", "Department of Expenditure"),
        "नॉर्थ ब्लॉक, नई दिल्ली",
        "North Block, New Delhi",
        "E.II(B)",
    ),
    (
        ("भारत सरकार", "शिक्षा मंत्रालय", "स्कूल शिक्षा और साक्षरता विभाग"),
        ("Government of India", "Ministry of Education", "Department of School Education and Literacy"),
        "शास्त्री भवन, नई दिल्ली",
        "Shastri Bhawan, New Delhi",
        "Coord",
    ),
    (
        ("भारत सरकार", "ग्रामीण विकास मंत्रालय"),
        ("Government of India", "Ministry of Rural Development"),
        "कृषि भवन, नई दिल्ली",
        "Krishi Bhawan, New Delhi",
        "RD",
    ),
)
# (hi, en, "m"/"f")
PEOPLE = (
    ("राजेश कुमार", "Rajesh Kumar", "m"),
    ("सुनीता शर्मा", "Sunita Sharma", "f"),
    ("अमित वर्मा", "Amit Verma", "m"),
    ("प्रिया सिंह", "Priya Singh", "f"),
    ("मनोज यादव", "Manoj Yadav", "m"),
    ("कविता चौधरी", "Kavita Chaudhary", "f"),
    ("सुरेश गुप्ता", "Suresh Gupta", "m"),
    ("अनीता मिश्रा", "Anita Mishra", "f"),
    ("विकास जैन", "Vikas Jain", "m"),
    ("दीपक त्रिपाठी", "Deepak Tripathi", "m"),
    ("रेखा पाण्डेय", "Rekha Pandey", "f"),
    ("संजय श्रीवास्तव", "Sanjay Srivastava", "m"),
    ("महेंद्र सिंह राठौड़", "Mahendra Singh Rathore", "m"),
    ("पूनम देवी", "Poonam Devi", "f"),
)
FATHER_NAMES = (
    ("रामकिशन", "Ramkishan"),
    ("ओमप्रकाश", "Omprakash"),
    ("हरि सिंह", "Hari Singh"),
    ("जगदीश", "Jagdish"),
    ("बलवान", "Balwan"),
    ("सतपाल", "Satpal"),
)
SECRETARIAT_DESIGNATIONS = (
    ("अवर सचिव", "Under Secretary"),
    ("उप सचिव", "Deputy Secretary"),
    ("निदेशक", "Director"),
    ("संयुक्त सचिव", "Joint Secretary"),
)
HIGH_COURTS = {  # by state (English name)
    "Haryana": ("पंजाब एवं हरियाणा उच्च न्यायालय, चंडीगढ़", "High Court of Punjab and Haryana at Chandigarh"),
    "Rajasthan": ("राजस्थान उच्च न्यायालय, जयपुर पीठ", "High Court of Judicature for Rajasthan, Bench at Jaipur"),
    "Madhya Pradesh": ("मध्य प्रदेश उच्च न्यायालय, जबलपुर", "High Court of Madhya Pradesh at Jabalpur"),
    "Uttar Pradesh": (
        "इलाहाबाद उच्च न्यायालय, लखनऊ खंडपीठ",
        "High Court of Judicature at Allahabad, Lucknow Bench",
    ),
    "Bihar": ("पटना उच्च न्यायालय, पटना", "High Court of Judicature at Patna"),
    "Uttarakhand": ("उत्तराखण्ड उच्च न्यायालय, नैनीताल", "High Court of Uttarakhand at Nainital"),
    "Himachal Pradesh": ("हिमाचल प्रदेश उच्च न्यायालय, शिमला", "High Court of Himachal Pradesh at Shimla"),
    "Chhattisgarh": ("छत्तीसगढ़ उच्च न्यायालय, बिलासपुर", "High Court of Chhattisgarh at Bilaspur"),
    "Jharkhand": ("झारखण्ड उच्च न्यायालय, रांची", "High Court of Jharkhand at Ranchi"),
}
VENDORS = (
    ("श्री गणेश प्रिंटर्स एंड स्टेशनर्स", "M/s Shree Ganesh Printers & Stationers"),
    ("भारत ऑफिस सॉल्यूशंस", "M/s Bharat Office Solutions"),
    ("न्यू इंडिया कंप्यूटर्स", "M/s New India Computers"),
)
INVOICE_ITEMS = (
    ("A4 कॉपियर पेपर (रीम)", "A4 Copier Paper (Ream)", "4802", 310),
    ("टोनर कार्ट्रिज 88A", "Toner Cartridge 88A", "8443", 2450),
    ("फाइल कवर", "File Covers", "4820", 12),
    ("रजिस्टर 200 पृष्ठ", "Register 200 pages", "4820", 145),
    ("लेटरहेड मुद्रण", "Printing of Letterheads", "4911", 3),
    ("डाक लिफाफे", "Postal Envelopes", "4817", 4),
)

GENERIC_MORE = {
    "hi": (
        "इस संबंध में यह भी उल्लेखनीय है कि पूर्व में भी इस कार्यालय द्वारा अनेक बार स्मरण पत्र जारी किए गए हैं,"
        " परंतु अभी तक वांछित सूचना प्राप्त नहीं हुई है। यह स्थिति अत्यंत खेदजनक है तथा उच्च अधिकारियों द्वारा"
        " इसे गंभीरता से लिया गया है।",
        "कृपया यह सुनिश्चित करें कि सभी संबंधित अधिकारी एवं कर्मचारी इन निर्देशों से भली-भाँति अवगत हों तथा इनका"
        " अक्षरशः पालन किया जाए। किसी भी प्रकार की कठिनाई होने पर इस कार्यालय के संबंधित अनुभाग से दूरभाष अथवा"
        " ई-मेल द्वारा संपर्क किया जा सकता है।",
        "वांछित सूचना निर्धारित प्रपत्र में हार्ड कॉपी के साथ-साथ सॉफ्ट कॉपी में भी ई-मेल के माध्यम से उपलब्ध कराई"
        " जाए, ताकि समेकित सूचना समय पर उच्चाधिकारियों को भेजी जा सके।",
        "यह भी निर्देशित किया जाता है कि इस विषय से संबंधित सभी अभिलेख सुरक्षित रखे जाएँ तथा निरीक्षण के समय"
        " प्रस्तुत किए जाएँ। अभिलेखों के रख-रखाव में किसी प्रकार की लापरवाही पाए जाने पर संबंधित कर्मचारी"
        " व्यक्तिगत रूप से उत्तरदायी होगा।",
        "सभी संबंधित अधिकारी अपने अधीनस्थ कार्यालयों में इन निर्देशों का व्यापक प्रचार-प्रसार करें तथा अनुपालन"
        " रिपोर्ट प्रत्येक माह की पाँच तारीख तक इस कार्यालय को भेजना सुनिश्चित करें।",
        "उपरोक्त के अतिरिक्त, जिन मामलों में न्यायालय अथवा आयोग द्वारा कोई निर्देश पारित किए गए हैं, उनकी सूची"
        " पृथक से तैयार कर संलग्न की जाए तथा उनकी अद्यतन स्थिति का विवरण भी दिया जाए।",
        "यह भी अनुरोध है कि इस कार्य हेतु एक नोडल अधिकारी नामित किया जाए, जिसका नाम, पदनाम, मोबाइल नंबर एवं"
        " ई-मेल पता इस कार्यालय को शीघ्र भेजा जाए, ताकि आवश्यक समन्वय स्थापित किया जा सके।",
    ),
    "en": (
        "It is also observed that several reminders have been issued by this office in the past, but the"
        " requisite information has not been received so far. This has been viewed seriously by the higher"
        " authorities.",
        "It may kindly be ensured that all concerned officers and officials are made aware of these"
        " instructions and that the same are followed scrupulously. In case of any difficulty, the concerned"
        " section of this office may be contacted over telephone or e-mail.",
        "The requisite information may be furnished in the prescribed proforma, both in hard copy and in soft"
        " copy through e-mail, so that the consolidated report can be sent to the higher authorities in time.",
        "All records relating to this subject may be preserved and produced at the time of inspection. Any"
        " negligence in the maintenance of records shall be viewed seriously and the official concerned shall"
        " be held personally responsible.",
        "All concerned officers are requested to give wide publicity to these instructions in their"
        " subordinate offices and to send the compliance report to this office by the fifth of every month.",
        "In addition, a separate list of cases in which directions have been passed by a court or a commission"
        " may be prepared and enclosed, along with the latest status of each case.",
        "It is further requested that a nodal officer may be nominated for this work and his or her name,"
        " designation, mobile number and e-mail address may be intimated to this office at the earliest.",
    ),
}


@dataclass(frozen=True)
class Para:
    """One body element: a paragraph, a numbered item, a centred line or a table row."""

    text: str = ""
    kind: str = "text"  # "text" | "item" | "center" | "right" | "row"
    bold: bool = False
    cells: tuple[str, ...] = ()


@dataclass
class Ctx:
    """Names, places, numbers and dates drawn once per letter, shared by both languages."""

    place: tuple[str, ...]
    office: tuple[str, ...]
    ministry: tuple
    officer: tuple[str, str, str]
    addressee_person: tuple[str, str, str]
    citizen: tuple[str, str, str]
    father: tuple[str, str, str]
    village: tuple[str, str]
    letter_date: date
    dates: dict[str, str]  # formatted extra dates per language: "deadline_hi", "ref_en", ...
    numbers: dict[str, int]
    topic: int
    year: int
    fy: str

    def d(self, lang: str) -> str:
        return self.place[0] if lang == "hi" else self.place[1]

    def state(self, lang: str) -> str:
        return self.place[2] if lang == "hi" else self.place[3]

    def capital(self, lang: str) -> str:
        return self.place[4] if lang == "hi" else self.place[5]

    def office_name(self, lang: str) -> str:
        return (self.office[0] if lang == "hi" else self.office[1]).format(d=self.d(lang))

    def name(self, who: tuple[str, str, str], lang: str, honorific: bool = True) -> str:
        base = who[0] if lang == "hi" else who[1]
        if not honorific:
            return base
        if lang == "hi":
            return ("श्री " if who[2] == "m" else "श्रीमती ") + base
        return ("Shri " if who[2] == "m" else "Smt. ") + base

    def village_name(self, lang: str) -> str:
        return self.village[0] if lang == "hi" else self.village[1]


@dataclass
class Parts:
    """What a category contributes to a letter; `make_spec` fills in the rest."""

    subject: str
    body: list[Para]
    sender: str
    salutation: str = ""
    closing: str = ""
    heading: str | None = None
    letterhead: tuple[str, ...] | None = None  # None: the office letterhead
    from_block: tuple[str, ...] = ()
    addressee: tuple[str, ...] | None = None  # None: the default addressee
    addressee_at_end: bool = False
    signature: tuple[str, ...] | None = None
    letter_no: str | None = ""  # "" = let make_spec invent one; None = the letter has none
    no_label: str | None = None
    references: tuple[str, ...] = ()
    more: tuple[str, ...] = ()  # extra paragraphs for long letters
    priority_floor: str = "normal"
    place_line: str | None = None  # e.g. "New Delhi, dated the 23rd February, 2026"
    enclosure: str | None = None
    copy_to: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def to_devanagari_digits(text: str) -> str:
    return text.translate(DEVANAGARI_DIGITS)


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def format_date(d: date, lang: str, r: random.Random) -> str:
    """A date as clerks type it: numeric with . / -, month names, Devanagari digits now and then."""
    numeric = [
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
    ]
    if lang == "en":
        forms = numeric + [
            f"{ordinal(d.day)} {EN_MONTHS[d.month - 1]}, {d.year}",
            f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}",
        ]
        return r.choice(forms)
    forms = numeric + [
        f"{d.day} {HI_MONTHS[d.month - 1]} {d.year}",
        f"{d.day} {HI_MONTHS[d.month - 1]}, {d.year}",
    ]
    text = r.choice(forms)
    if r.random() < 0.25:
        text = to_devanagari_digits(text)
    return text


def rupees_in_words(n: int) -> str:
    """Indian-system words for a whole number of rupees (lakh, crore)."""
    ones = [
        "Zero",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
        "Eleven",
        "Twelve",
        "Thirteen",
        "Fourteen",
        "Fifteen",
        "Sixteen",
        "Seventeen",
        "Eighteen",
        "Nineteen",
    ]
    tens = ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]

    def two(x: int) -> str:
        return ones[x] if x < 20 else tens[x // 10] + ("" if x % 10 == 0 else " " + ones[x % 10])

    def three(x: int) -> str:
        head = f"{ones[x // 100]} Hundred" if x >= 100 else ""
        tail = two(x % 100) if x % 100 else ""
        return " ".join(p for p in (head, tail) if p)

    if n == 0:
        return "Zero"
    words = []
    for size, name in ((10**7, "Crore"), (10**5, "Lakh"), (10**3, "Thousand")):
        if n >= size:
            words.append(f"{two(n // size) if n // size < 100 else three(n // size)} {name}")
            n %= size
    if n:
        words.append(three(n))
    return " ".join(words)


def indian_amount(n: float) -> str:
    """12,34,567.00 grouping."""
    whole, frac = f"{n:.2f}".split(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        whole = ",".join(groups) + "," + tail
    return f"{whole}.{frac}"


def _pick(seq, ctx: Ctx):
    return seq[ctx.topic % len(seq)]


def _verb(who: tuple[str, str, str], male: str, female: str) -> str:
    return male if who[2] == "m" else female


def _citizen_signature(ctx: Ctx, lang: str) -> tuple[str, ...]:
    mob = f"{ctx.numbers['mobile']}"
    if lang == "hi":
        return (
            f"({ctx.name(ctx.citizen, 'hi', False)})",
            f"मकान नं. {ctx.numbers['house']}, ग्राम {ctx.village_name('hi')}",
            f"तहसील {ctx.place[6]}, जिला {ctx.d('hi')}",
            f"मोबाइल: {mob}",
        )
    return (
        f"({ctx.name(ctx.citizen, 'en', False)})",
        f"House No. {ctx.numbers['house']}, Village {ctx.village_name('en')}",
        f"Tehsil {ctx.place[7]}, District {ctx.d('en')}",
        f"Mobile: {mob}",
    )


def rti(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    topics = (
        (
            f"ग्राम {ctx.village_name('hi')} में वर्ष {ctx.fy} में स्वीकृत विकास कार्यों",
            f"development works sanctioned in village {ctx.village_name('en')} during {ctx.fy}",
        ),
        ("मेरे पेंशन प्रकरण की वर्तमान स्थिति", "the present status of my pension case"),
        (f"{ctx.d('hi')} जिले में शिक्षकों के रिक्त पदों", f"vacant posts of teachers in {ctx.d('en')} district"),
        (
            "प्रधानमंत्री आवास योजना के अंतर्गत चयनित लाभार्थियों",
            "the beneficiaries selected under Pradhan Mantri Awas Yojana",
        ),
    )
    hi_topic, en_topic = _pick(topics, ctx)
    po = f"{ctx.numbers['n3'] % 90 + 10}F {ctx.numbers['n4']:06d}"
    if lang == "hi":
        subject = r.choice(
            (
                "सूचना का अधिकार अधिनियम, 2005 की धारा 6(1) के अंतर्गत सूचना प्राप्त करने हेतु आवेदन।",
                f"सूचना का अधिकार अधिनियम, 2005 के अंतर्गत {hi_topic} से संबंधित सूचना उपलब्ध कराने बाबत।",
            )
        )
        son = _verb(ctx.citizen, "पुत्र", "पुत्री")
        want = _verb(ctx.citizen, "चाहता", "चाहती")
        body = [
            Para(
                f"मैं, {ctx.name(ctx.citizen, 'hi', False)}, {son} {ctx.name(ctx.father, 'hi')}, निवासी ग्राम"
                f" {ctx.village_name('hi')}, तहसील {ctx.place[6]}, जिला {ctx.d('hi')}, सूचना का अधिकार अधिनियम,"
                f" 2005 की धारा 6(1) के अंतर्गत {hi_topic} से संबंधित निम्नलिखित सूचना प्राप्त करना {want} हूँ:-"
            ),
            Para(f"1. {hi_topic} का वर्षवार विवरण एवं उन पर व्यय की गई कुल राशि।", "item"),
            Para("2. संबंधित पत्रावली की नोटशीट एवं पत्राचार की प्रमाणित प्रतियाँ।", "item"),
            Para("3. इस विषय में प्राप्त शिकायतों की संख्या तथा उन पर की गई कार्यवाही का विवरण।", "item"),
            Para("4. उक्त कार्य हेतु उत्तरदायी अधिकारी/कर्मचारी का नाम एवं पदनाम।", "item"),
            Para(
                r.choice(
                    (
                        f"आवेदन शुल्क के रूप में ₹10/- का भारतीय पोस्टल ऑर्डर संख्या {po} संलग्न है।",
                        f"आवेदन शुल्क ₹10/- नकद जमा कर दिया गया है, जिसकी रसीद संख्या {ctx.numbers['n2']} है।",
                    )
                )
            ),
            Para(
                "कृपया उक्त सूचना अधिनियम की धारा 7(1) में निर्धारित 30 दिवस की समय-सीमा के भीतर डाक द्वारा"
                " उपलब्ध कराने का कष्ट करें। मैं भारत का नागरिक हूँ।"
            ),
        ]
        return Parts(
            subject=subject,
            body=body,
            sender=ctx.name(ctx.citizen, "hi", False),
            salutation="महोदय,",
            closing=r.choice(("भवदीय", "प्रार्थी", "आवेदक")),
            letterhead=(),
            addressee=("सेवा में,", "जन सूचना अधिकारी,", f"{ctx.office_name('hi')}।"),
            signature=_citizen_signature(ctx, "hi"),
            letter_no=None,
            enclosure="संलग्न: भारतीय पोस्टल ऑर्डर" if "पोस्टल" in body[5].text else None,
        )
    subject = r.choice(
        (
            "Application for seeking information under Section 6(1) of the Right to Information Act, 2005.",
            f"Request for information regarding {en_topic} under the RTI Act, 2005.",
        )
    )
    son = _verb(ctx.citizen, "son", "daughter")
    body = [
        Para(
            f"I, {ctx.name(ctx.citizen, 'en', False)}, {son} of {ctx.name(ctx.father, 'en')}, resident of Village"
            f" {ctx.village_name('en')}, Tehsil {ctx.place[7]}, District {ctx.d('en')}, request the following"
            f" information under Section 6(1) of the Right to Information Act, 2005 regarding {en_topic}:-"
        ),
        Para(f"1. Year-wise details of {en_topic} and the total amount spent on them.", "item"),
        Para("2. Certified copies of the note sheets and correspondence in the relevant file.", "item"),
        Para("3. The number of complaints received on this matter and the action taken on each.", "item"),
        Para("4. Name and designation of the officer or official responsible for the said work.", "item"),
        Para(
            r.choice(
                (
                    f"I have paid the application fee of Rs. 10/- by Indian Postal Order No. {po}, enclosed herewith.",
                    f"The application fee of Rs. 10/- has been deposited in cash vide receipt No. {ctx.numbers['n2']}.",
                )
            )
        ),
        Para(
            "Kindly provide the information by post within the period of 30 days laid down in Section 7(1)"
            " of the Act. I am a citizen of India."
        ),
    ]
    return Parts(
        subject=subject,
        body=body,
        sender=ctx.name(ctx.citizen, "en", False),
        salutation=r.choice(("Sir,", "Sir/Madam,", "Respected Sir,")),
        closing="Yours faithfully,",
        letterhead=(),
        addressee=("To", "The Public Information Officer,", f"{ctx.office_name('en')}."),
        signature=_citizen_signature(ctx, "en"),
        letter_no=None,
        enclosure="Encl.: Indian Postal Order" if "Postal" in body[5].text else None,
    )


def court(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    court_hi, court_en = HIGH_COURTS[ctx.place[3]]
    n, y = ctx.numbers["n2"], ctx.year
    deadline = ctx.dates[f"deadline_{lang}"]
    if lang == "hi":
        case = r.choice((f"सिविल रिट याचिका संख्या {n} वर्ष {y}", f"रिट याचिका (सिविल) संख्या {n}/{y}"))
        petitioner = ctx.name(ctx.citizen, "hi", False)
        body = [
            Para(f"{petitioner} ...याचिकाकर्ता", "center"),
            Para("बनाम", "center"),
            Para(f"{ctx.state('hi')} राज्य एवं अन्य ...प्रतिवादीगण", "center"),
            Para(
                "चूँकि उपरोक्त याचिकाकर्ता द्वारा इस माननीय न्यायालय में उपरोक्त रिट याचिका दायर की गई है, जिसकी"
                " प्रति इस नोटिस के साथ संलग्न है।"
            ),
            Para(
                f"अतः आपको निर्देशित किया जाता है कि आप दिनांक {deadline} को प्रातः 10:00 बजे स्वयं अथवा अधिवक्ता"
                " के माध्यम से न्यायालय में उपस्थित होकर अपना जवाब/स्थिति रिपोर्ट प्रस्तुत करें।"
            ),
            Para("ध्यान रहे कि आपके उपस्थित न होने की दशा में मामले की सुनवाई एवं निर्णय आपकी अनुपस्थिति में किया जाएगा।"),
            Para(f"आज दिनांक {ctx.dates['letter_hi']} को मेरे हस्ताक्षर एवं न्यायालय की मुहर से जारी किया गया।"),
        ]
        more = (
            "याचिका में याचिकाकर्ता द्वारा यह अनुतोष माँगा गया है कि प्रतिवादीगण को उसके लंबित प्रकरण पर"
            " नियमानुसार निर्णय लेने तथा देय राशि ब्याज सहित भुगतान करने हेतु निर्देशित किया जाए।",
            "आपको यह भी निर्देशित किया जाता है कि मामले से संबंधित समस्त मूल अभिलेख सुनवाई की तिथि पर"
            " प्रभारी अधिकारी के माध्यम से न्यायालय के समक्ष प्रस्तुत किए जाएँ।",
        )
        return Parts(
            subject=f"{case} - {petitioner} बनाम {ctx.state('hi')} राज्य एवं अन्य",
            body=body,
            sender=court_hi,
            heading="नोटिस",
            letterhead=(court_hi,),
            addressee=("सेवा में,", f"{ctx.office[3]}, {ctx.d('hi')}। (प्रतिवादी संख्या {n % 5 + 2})"),
            signature=("उप पंजीयक (न्यायिक)", "कृते पंजीयक", court_hi),
            no_label="क्रमांक",
            letter_no=f"{ctx.numbers['n3']}/रिट/{y}",
            more=more,
            priority_floor="immediate",
            extra={"case": case},
        )
    case = r.choice((f"CWP No. {n} of {y}", f"W.P.(C) No. {n}/{y}", f"Civil Writ Petition No. {n} of {y}"))
    petitioner = ctx.name(ctx.citizen, "en", False)
    body = [
        Para(f"{petitioner} ...Petitioner", "center"),
        Para("Versus", "center"),
        Para(f"State of {ctx.state('en')} and others ...Respondents", "center"),
        Para(
            "Whereas the above-named petitioner has filed the above writ petition in this Hon'ble Court, a"
            " copy of which is enclosed with this notice."
        ),
        Para(
            f"You are hereby directed to appear before this Court on {deadline} at 10:00 A.M., in person or"
            " through counsel, and to file your reply or status report."
        ),
        Para(
            "Take notice that in default of your appearance the matter shall be heard and decided in your absence."
        ),
        Para(f"Given under my hand and the seal of this Court on {ctx.dates['letter_en']}."),
    ]
    more = (
        "The petitioner has prayed that the respondents be directed to decide his pending case in accordance"
        " with the rules and to release the amount due along with interest.",
        "You are further directed to ensure that the complete original record of the case is produced before"
        " the Court through the officer-in-charge on the date of hearing.",
    )
    return Parts(
        subject=f"{case} - {petitioner} vs. State of {ctx.state('en')} and others",
        body=body,
        sender=court_en,
        heading="NOTICE",
        letterhead=(court_en.upper(),),
        addressee=("To", f"The {ctx.office[4]}, {ctx.d('en')}. (Respondent No. {n % 5 + 2})"),
        signature=("Deputy Registrar (Judicial)", "for Registrar General", court_en),
        no_label="No.",
        letter_no=f"{ctx.numbers['n3']}/Writ/{y}",
        more=more,
        priority_floor="immediate",
        extra={"case": case},
    )


def grievance(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    v_hi, v_en = ctx.village_name("hi"), ctx.village_name("en")
    k, w = ctx.numbers["n1"] % 20 + 5, ctx.numbers["n2"] % 30 + 1
    topics = (
        (
            f"ग्राम {v_hi} में पेयजल आपूर्ति बाधित होने के संबंध में शिकायत।",
            f"सविनय निवेदन है कि ग्राम {v_hi}, तहसील {ctx.place[6]} में पिछले {k} दिनों से पेयजल की आपूर्ति"
            " पूर्णतः बाधित है। ग्रामवासियों को दूर-दूर से पानी लाना पड़ रहा है, जिससे विशेषकर बुजुर्गों एवं बच्चों को"
            " भारी कठिनाई हो रही है।",
            f"Complaint regarding disruption of drinking water supply in village {v_en}.",
            f"Respectfully, I beg to state that the supply of drinking water in village {v_en}, Tehsil"
            f" {ctx.place[7]} has been completely disrupted for the last {k} days. The villagers have to fetch"
            " water from far away, which is causing great hardship, especially to the elderly and children.",
        ),
        (
            f"वृद्धावस्था पेंशन की राशि {k} माह से प्राप्त न होने बाबत।",
            f"सविनय निवेदन है कि मुझे वृद्धावस्था सम्मान भत्ता योजना के अंतर्गत पेंशन स्वीकृत है, परंतु पिछले {k}"
            " माह से पेंशन की राशि मेरे बैंक खाते में जमा नहीं हुई है। बैंक से पूछताछ करने पर बताया गया कि"
            " विभाग से राशि प्राप्त नहीं हुई है।",
            f"Non-receipt of old age pension for the last {k} months.",
            "Respectfully, I beg to state that old age pension has been sanctioned to me, but for the last"
            f" {k} months the pension amount has not been credited to my bank account. On enquiry, the bank"
            " informed me that the amount has not been received from the department.",
        ),
        (
            f"वार्ड संख्या {w} की टूटी सड़क की मरम्मत करवाने हेतु प्रार्थना पत्र।",
            f"सविनय निवेदन है कि वार्ड संख्या {w} की मुख्य सड़क पिछले कई महीनों से पूरी तरह टूटी हुई है। वर्षा के"
            " समय सड़क पर पानी भर जाता है तथा आए दिन दुर्घटनाएँ होती रहती हैं।",
            f"Request for repair of the broken road in Ward No. {w}.",
            f"Respectfully, I beg to state that the main road of Ward No. {w} has been badly broken for several"
            " months. Water collects on the road during the rains and accidents take place every other day.",
        ),
        (
            "राशन कार्ड में परिवार के सदस्यों के नाम जोड़ने के आवेदन पर कार्यवाही न होने के संबंध में।",
            "सविनय निवेदन है कि मैंने अपने राशन कार्ड में परिवार के दो सदस्यों के नाम जोड़ने हेतु खाद्य एवं"
            " आपूर्ति विभाग में आवेदन किया था, परंतु अभी तक नाम नहीं जोड़े गए हैं और हमें राशन नहीं मिल पा रहा है।",
            "No action on my application for adding family members to the ration card.",
            "Respectfully, I beg to state that I had applied to the Food and Supplies Department for adding two"
            " members of my family to my ration card, but their names have not been added so far and we are"
            " not getting our ration.",
        ),
    )
    s_hi, b_hi, s_en, b_en = _pick(topics, ctx)
    ref = ctx.dates[f"ref_{lang}"]
    if lang == "hi":
        body = [
            Para(b_hi),
            Para(f"इस संबंध में मैंने दिनांक {ref} को भी प्रार्थना पत्र दिया था, परंतु आज तक कोई कार्यवाही नहीं हुई है।"),
            Para(
                "अतः आपसे विनम्र निवेदन है कि इस मामले में शीघ्र उचित कार्यवाही करने की कृपा करें। इसके लिए मैं"
                f" आपका सदैव आभारी {_verb(ctx.citizen, 'रहूँगा', 'रहूँगी')}।"
            ),
        ]
        more = (
            "उल्लेखनीय है कि इस समस्या के बारे में ग्राम पंचायत एवं संबंधित विभाग के कनिष्ठ अभियंता को भी"
            " मौखिक रूप से कई बार अवगत कराया गया, किन्तु उनके द्वारा केवल आश्वासन ही दिया गया।",
            "प्रार्थना पत्र के साथ पूर्व में दिए गए आवेदन की प्रति तथा आधार कार्ड की छायाप्रति संलग्न है।"
            " आवश्यकता होने पर मैं स्वयं उपस्थित होकर अन्य दस्तावेज भी प्रस्तुत कर सकता हूँ।",
        )
        return Parts(
            subject=s_hi,
            body=body,
            sender=ctx.name(ctx.citizen, "hi", False),
            salutation="महोदय,",
            closing=r.choice(("प्रार्थी", "भवदीय", "निवेदक")),
            letterhead=(),
            addressee=("सेवा में,", f"श्रीमान {ctx.office[3]} महोदय,", f"{ctx.office_name('hi')}।"),
            signature=_citizen_signature(ctx, "hi"),
            letter_no=None,
            more=more,
        )
    body = [
        Para(b_en),
        Para(
            f"I had also submitted an application in this regard on {ref}, but no action has been taken so far."
        ),
        Para(
            "It is therefore humbly requested that appropriate action may kindly be taken in the matter at the earliest."
        ),
    ]
    more = (
        "It may be mentioned that the Gram Panchayat and the Junior Engineer of the department concerned were"
        " also informed orally several times, but only assurances were given.",
        "A copy of my earlier application and a photocopy of my Aadhaar card are enclosed. I can appear in"
        " person and produce any other documents if required.",
    )
    return Parts(
        subject=s_en,
        body=body,
        sender=ctx.name(ctx.citizen, "en", False),
        salutation=r.choice(("Sir,", "Respected Sir,")),
        closing="Yours faithfully,",
        letterhead=(),
        addressee=("To", f"The {ctx.office[4]},", f"{ctx.office_name('en')}."),
        signature=_citizen_signature(ctx, "en"),
        letter_no=None,
        more=more,
    )


def parliament(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    q = ctx.numbers["n2"] % 4000 + 100
    topics = (
        ("जिलों में सड़कों का निर्माण", "Construction of roads in districts"),
        ("सरकारी विद्यालयों में शिक्षकों की कमी", "Shortage of teachers in government schools"),
        ("प्रधानमंत्री आवास योजना की प्रगति", "Progress of Pradhan Mantri Awas Yojana"),
        ("ग्रामीण क्षेत्रों में स्वास्थ्य सुविधाएँ", "Health facilities in rural areas"),
    )
    t_hi, t_en = _pick(topics, ctx)
    lok = ctx.numbers["n1"] % 2 == 0
    starred = ctx.numbers["n3"] % 3 == 0
    member = ctx.name(ctx.addressee_person, lang)
    ans = ctx.dates[f"deadline2_{lang}"]
    deadline = ctx.dates[f"deadline_{lang}"]
    if lang == "hi":
        house = "लोक सभा" if lok else f"{ctx.state('hi')} विधान सभा"
        qtype = "तारांकित" if starred else "अतारांकित"
        head = ("लोक सभा सचिवालय", "संसद भवन, नई दिल्ली") if lok else (f"{house} सचिवालय", ctx.capital("hi"))
        body = [
            Para(
                f"उपर्युक्त विषय पर माननीय सदस्य {member} द्वारा पूछे गए {house} {qtype} प्रश्न संख्या {q} की प्रति"
                f" संलग्न कर प्रेषित है। इस प्रश्न का उत्तर दिनांक {ans} को सदन में दिया जाना है।"
            ),
            Para(
                "अनुरोध है कि प्रश्न के उत्तर हेतु तथ्यात्मक सामग्री हिंदी एवं अंग्रेजी दोनों रूपांतरों में दिनांक"
                f" {deadline} तक इस सचिवालय को ई-मेल द्वारा भी उपलब्ध कराना सुनिश्चित करें।"
            ),
            Para("कृपया इसे अति आवश्यक समझें।"),
        ]
        return Parts(
            subject=f'{house} {qtype} प्रश्न संख्या {q} के उत्तर हेतु सामग्री उपलब्ध कराने बाबत - "{t_hi}"।',
            body=body,
            sender=head[0],
            salutation="महोदय,",
            closing="भवदीय,",
            letterhead=head,
            addressee=("सेवा में,", f"{ctx.office[3]},", f"{ctx.office_name('hi')}।"),
            priority_floor="immediate",
            no_label=r.choice(("क्रमांक", "संख्या")),
            letter_no=f"{'लो.स.स.' if lok else 'वि.स.स.'}/प्रश्न/{ctx.year}/{ctx.numbers['n3']}",
            enclosure="संलग्न: प्रश्न की प्रति",
            extra={"question": str(q)},
        )
    house = "Lok Sabha" if lok else f"{ctx.state('en')} Vidhan Sabha"
    qtype = "Starred" if starred else "Unstarred"
    head = (
        ("LOK SABHA SECRETARIAT", "Parliament House, New Delhi")
        if lok
        else (f"{house.upper()} SECRETARIAT", ctx.capital("en"))
    )
    body = [
        Para(
            f"I am directed to forward herewith a copy of {house} {qtype} Question No. {q} given notice of by"
            f" {member}, Hon'ble Member, which is due for answer on {ans}."
        ),
        Para(
            "You are requested to furnish the factual material for the reply, in both Hindi and English"
            f" versions, to this Secretariat by {deadline}, also by e-mail."
        ),
        Para("This may please be treated as MOST URGENT."),
    ]
    return Parts(
        subject=f'{house} {qtype} Question No. {q} regarding "{t_en}" - furnishing of material for reply.',
        body=body,
        sender=head[0].title() if lok else f"{house} Secretariat",
        salutation="Sir,",
        closing="Yours faithfully,",
        letterhead=head,
        addressee=("To", f"The {ctx.office[4]},", f"{ctx.office_name('en')}."),
        priority_floor="immediate",
        no_label="No.",
        letter_no=f"{'LSS' if lok else 'VSS'}/Q/{q}/{ctx.year}",
        enclosure="Encl.: As above",
        extra={"question": str(q)},
    )


def vip(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    issues = (  # (issue, pronoun before it, possessive after the name, English)
        ("भूमि की पैमाइश", "उनकी", "की", "measurement of his land"),
        ("पुत्र की अनुकंपा नियुक्ति", "उनके", "के", "compassionate appointment of his son"),
        ("गाँव के खराब ट्रांसफार्मर को बदलने", "उनके", "के", "replacement of the damaged village transformer"),
        ("मकान के बिजली कनेक्शन", "उनके", "के", "electricity connection to his house"),
    )
    i_hi, pron, poss, i_en = _pick(issues, ctx)
    mp = ctx.numbers["n1"] % 2 == 0
    citizen_hi, citizen_en = ctx.name(ctx.citizen, "hi"), ctx.name(ctx.citizen, "en")
    who_hi = ctx.name(ctx.officer, "hi")
    who_en = ctx.name(ctx.officer, "en")
    if lang == "hi":
        role = "संसद सदस्य (लोक सभा)" if mp else f"विधायक, {ctx.place[6]} विधानसभा क्षेत्र"
        area = "मेरे संसदीय क्षेत्र" if mp else "मेरे विधानसभा क्षेत्र"
        body = [
            Para(
                f"{area} के ग्राम {ctx.village_name('hi')} निवासी {citizen_hi} ने मुझे अवगत कराया है कि {pron}"
                f" {i_hi} का मामला काफी समय से आपके कार्यालय में लंबित है। उनका प्रार्थना पत्र इस पत्र के साथ संलग्न है।"
            ),
            Para(
                "अतः आपसे अनुरोध है कि इस मामले में व्यक्तिगत रुचि लेकर नियमानुसार शीघ्र कार्यवाही करवाएँ तथा की"
                " गई कार्यवाही से मुझे भी अवगत कराएँ।"
            ),
        ]
        return Parts(
            subject=f"ग्राम {ctx.village_name('hi')} निवासी {citizen_hi} {poss} {i_hi} के संबंध में।",
            body=body,
            sender=ctx.name(ctx.addressee_person, "hi", False),
            salutation=f"आदरणीय {who_hi} जी,",
            closing=r.choice(("शुभकामनाओं सहित,", "सादर,")),
            letterhead=(
                ctx.name(ctx.addressee_person, "hi", False),
                role,
                f"{ctx.d('hi')}, {ctx.state('hi')}",
            ),
            addressee=("सेवा में,", who_hi, f"{ctx.office[3]},", f"{ctx.office_name('hi')}।"),
            signature=(f"({ctx.name(ctx.addressee_person, 'hi', False)})", role),
            no_label="पत्रांक",
            letter_no=f"{'MP' if mp else 'MLA'}/{ctx.place[1][:3].upper()}/{ctx.year}/{ctx.numbers['n3'] % 900 + 100}",
        )
    role = "Member of Parliament (Lok Sabha)" if mp else f"Member of Legislative Assembly, {ctx.place[7]}"
    area = "my parliamentary constituency" if mp else "my assembly constituency"
    body = [
        Para(
            f"{citizen_en}, resident of village {ctx.village_name('en')} in {area}, has brought to my notice"
            f" that his case regarding {i_en} has been pending in your office for a long time. His representation"
            " is enclosed."
        ),
        Para(
            "I would request you to kindly look into the matter personally and take early action as per rules"
            " under intimation to me."
        ),
    ]
    return Parts(
        subject=f"Representation of {citizen_en}, village {ctx.village_name('en')}, regarding {i_en}.",
        body=body,
        sender=ctx.name(ctx.addressee_person, "en", False),
        salutation=f"Dear {who_en},",
        closing=r.choice(("With regards,", "With best wishes,")),
        letterhead=(
            ctx.name(ctx.addressee_person, "en", False).upper(),
            role,
            f"{ctx.d('en')}, {ctx.state('en')}",
        ),
        addressee=("To", who_en, f"{ctx.office[4]},", f"{ctx.office_name('en')}."),
        addressee_at_end=r.random() < 0.5,
        signature=(f"({ctx.name(ctx.addressee_person, 'en', False)})", role),
        no_label=r.choice(("No.", "Ref. No.")),
        letter_no=f"{'MP' if mp else 'MLA'}/{ctx.place[1][:3].upper()}/{ctx.year}/{ctx.numbers['n3'] % 900 + 100}",
    )


def circular(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    topics = (
        (
            "कार्यालयों में बायोमेट्रिक उपस्थिति प्रणाली का अनिवार्य उपयोग।",
            (
                "यह देखा गया है कि कई अधिकारी एवं कर्मचारी कार्यालय में निर्धारित समय पर उपस्थित नहीं हो रहे हैं तथा"
                " बायोमेट्रिक उपस्थिति दर्ज नहीं कर रहे हैं।",
                "अतः समस्त अधिकारियों एवं कर्मचारियों को निर्देशित किया जाता है कि वे प्रातः 9:00 बजे तक कार्यालय में"
                " उपस्थित होकर बायोमेट्रिक प्रणाली पर अपनी उपस्थिति अनिवार्य रूप से दर्ज करें।",
            ),
            "Mandatory use of the biometric attendance system in offices.",
            (
                "It has been observed that several officers and officials are not attending office in time and are"
                " not marking their attendance on the biometric attendance system.",
                "All officers and officials are therefore directed to reach office by 9:00 A.M. and to mark their"
                " attendance on the biometric system without fail.",
            ),
        ),
        (
            "सरकारी कामकाज में राजभाषा हिंदी का प्रयोग बढ़ाने के संबंध में।",
            (
                "राजभाषा अधिनियम, 1963 की धारा 3(3) के अंतर्गत जारी होने वाले सभी दस्तावेज द्विभाषी रूप में जारी किए"
                " जाने अनिवार्य हैं, किन्तु निरीक्षण में पाया गया है कि इन प्रावधानों का पूर्णतः पालन नहीं हो रहा है।",
                "अतः सभी अनुभागों को निर्देश दिए जाते हैं कि हिंदी में प्राप्त पत्रों का उत्तर अनिवार्य रूप से हिंदी में ही"
                " दिया जाए तथा टिप्पणियाँ यथासंभव हिंदी में लिखी जाएँ।",
            ),
            "Increasing the use of Hindi in official work.",
            (
                "Under Section 3(3) of the Official Languages Act, 1963, all documents covered by that section must be"
                " issued bilingually, but inspections have shown that these provisions are not fully complied with.",
                "All sections are therefore directed that letters received in Hindi shall be replied to in Hindi and"
                " that notings shall be recorded in Hindi as far as possible.",
            ),
        ),
        (
            "ई-ऑफिस के माध्यम से पत्रावलियों एवं डाक का निपटान।",
            (
                "शासन के निर्देशानुसार इस कार्यालय में ई-ऑफिस प्रणाली लागू की जा चुकी है। इसके उपरांत भी कुछ अनुभागों"
                " द्वारा भौतिक पत्रावलियाँ संचालित की जा रही हैं।",
                "अतः निर्देशित किया जाता है कि सभी नई पत्रावलियाँ केवल ई-ऑफिस पर ही खोली जाएँ तथा प्राप्त होने वाली"
                " डाक को स्कैन कर ई-रसीद के रूप में दर्ज किया जाए।",
            ),
            "Disposal of files and dak through e-Office.",
            (
                "As per the instructions of the Government, the e-Office system has been implemented in this office."
                " Even so, some sections are still maintaining physical files.",
                "It is therefore directed that all new files shall be opened only in e-Office and that all dak"
                " received shall be scanned and diarised as e-Receipts.",
            ),
        ),
        (
            f"स्वच्छता पखवाड़ा {ctx.year} का आयोजन।",
            (
                f"भारत सरकार के निर्देशानुसार दिनांक {ctx.dates['deadline_hi']} से पंद्रह दिनों तक स्वच्छता पखवाड़ा"
                " मनाया जाना है।",
                "सभी शाखा प्रभारी अपने-अपने कक्षों एवं अभिलेख कक्ष की सफाई करवाएँ तथा अनुपयोगी अभिलेखों की"
                " छँटाई कर नियमानुसार उनका निस्तारण सुनिश्चित करें।",
            ),
            f"Observance of Swachhta Pakhwada {ctx.year}.",
            (
                f"As directed by the Government of India, Swachhta Pakhwada is to be observed for fifteen days from"
                f" {ctx.dates['deadline_en']}.",
                "All branch in-charges shall get their rooms and the record room cleaned, and shall ensure weeding"
                " out of unwanted records in accordance with the rules.",
            ),
        ),
    )
    s_hi, b_hi, s_en, b_en = _pick(topics, ctx)
    if lang == "hi":
        return Parts(
            subject=s_hi,
            body=[Para(b_hi[0]), Para(b_hi[1]), Para("यह आदेश तत्काल प्रभाव से लागू होगा।")],
            sender=ctx.office_name("hi"),
            heading=r.choice(("परिपत्र", "आदेश")),
            addressee=("सेवा में,", "समस्त शाखा प्रभारी एवं विभागाध्यक्ष,", f"जिला {ctx.d('hi')}।"),
            copy_to=True,
            more=GENERIC_MORE["hi"][:2],
        )
    return Parts(
        subject=s_en,
        body=[
            Para(b_en[0]),
            Para(b_en[1]),
            Para("These orders shall come into force with immediate effect."),
        ],
        sender=ctx.office_name("en"),
        heading=r.choice(("CIRCULAR", "ORDER")),
        addressee=("To", "All Branch In-charges and Heads of Departments,", f"District {ctx.d('en')}."),
        copy_to=True,
        more=GENERIC_MORE["en"][:2],
    )


def office_memorandum(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    hi_lines, en_lines, addr_hi, addr_en, sec = ctx.ministry
    topics = (
        (
            "सीपीग्राम्स पर प्राप्त लोक शिकायतों का समयबद्ध निपटान।",
            "Timely disposal of public grievances received on CPGRAMS.",
        ),
        (
            "केंद्र सरकार के कर्मचारियों को देय महंगाई भत्ते की दरों में संशोधन।",
            "Revision of the rates of Dearness Allowance payable to Central Government employees.",
        ),
        (
            f"सतर्कता जागरूकता सप्ताह {ctx.year} का आयोजन।",
            f"Observance of Vigilance Awareness Week, {ctx.year}.",
        ),
        (
            "प्रतिनियुक्ति के आधार पर सहायक अनुभाग अधिकारी के रिक्त पदों को भरना।",
            "Filling up of vacant posts of Assistant Section Officer on deputation basis.",
        ),
    )
    s_hi, s_en = _pick(topics, ctx)
    file_no = f"{ctx.numbers['n1'] % 40 + 1}/{ctx.numbers['n2'] % 20 + 1}/{ctx.year - 1}-{sec}"
    ref = ctx.dates[f"ref_{lang}"]
    desig = SECRETARIAT_DESIGNATIONS[ctx.numbers["n3"] % len(SECRETARIAT_DESIGNATIONS)]
    tel = f"011-2309{ctx.numbers['n4'] % 10000:04d}"
    if lang == "hi":
        body = [
            Para(
                f"अधोहस्ताक्षरी को उपर्युक्त विषय पर इस विभाग के समसंख्यक कार्यालय ज्ञापन दिनांक {ref} का संदर्भ"
                " देने का निदेश हुआ है।"
            ),
            Para(
                "2. सभी मंत्रालयों/विभागों से अनुरोध है कि वे इस विषय पर जारी निर्देशों का कड़ाई से पालन सुनिश्चित"
                " करें तथा की गई कार्यवाही की रिपोर्ट इस विभाग को शीघ्र भेजें।"
            ),
            Para("3. यह सक्षम प्राधिकारी के अनुमोदन से जारी किया जाता है।"),
        ]
        return Parts(
            subject=s_hi,
            body=body,
            sender=hi_lines[-1],
            heading="कार्यालय ज्ञापन",
            letterhead=hi_lines + (addr_hi,),
            addressee=("सेवा में,", "भारत सरकार के सभी मंत्रालय/विभाग।"),
            addressee_at_end=True,
            signature=(f"({ctx.name(ctx.officer, 'hi', False)})", f"{desig[0]}, भारत सरकार", f"दूरभाष: {tel}"),
            no_label=r.choice(("संख्या", "फा. सं.")),
            letter_no=file_no,
            place_line=f"{addr_hi.split(', ')[-1]}, दिनांक {ctx.dates['letter_hi']}",
            more=GENERIC_MORE["hi"][2:5],
            extra={"file_no": file_no},
        )
    body = [
        Para(
            "The undersigned is directed to refer to this Department's O.M. of even number dated"
            f" {ref} on the subject mentioned above."
        ),
        Para(
            "2. All Ministries/Departments are requested to ensure strict compliance with the instructions"
            " issued on the subject and to send an action taken report to this Department at the earliest."
        ),
        Para("3. This issues with the approval of the competent authority."),
    ]
    return Parts(
        subject=s_en,
        body=body,
        sender=en_lines[-1],
        heading="OFFICE MEMORANDUM",
        letterhead=en_lines + (addr_en,),
        addressee=("To", "All Ministries/Departments of the Government of India."),
        addressee_at_end=True,
        signature=(
            f"({ctx.name(ctx.officer, 'en', False)})",
            f"{desig[1]} to the Government of India",
            f"Tel.: {tel}",
        ),
        no_label=r.choice(("F. No.", "F.No.", "No.")),
        letter_no=file_no,
        place_line=f"{addr_en.split(', ')[-1]}, dated the {ctx.dates['letter_en']}",
        more=GENERIC_MORE["en"][2:5],
        extra={"file_no": file_no},
    )


def do_letter(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    topics = (
        ("लंबित उपयोगिता प्रमाण पत्रों", "pending utilisation certificates"),
        ("ई-ऑफिस के कार्यान्वयन की प्रगति", "progress of e-Office implementation"),
        ("लंबित आरटीआई अपीलों के निपटान", "disposal of pending RTI appeals"),
        ("सीएम विंडो पर लंबित शिकायतों", "grievances pending on the CM Window portal"),
    )
    t_hi, t_en = _pick(topics, ctx)
    desig = SECRETARIAT_DESIGNATIONS[ctx.numbers["n3"] % len(SECRETARIAT_DESIGNATIONS)]
    officer_hi, officer_en = ctx.name(ctx.officer, "hi", False), ctx.name(ctx.officer, "en", False)
    to_hi, to_en = ctx.name(ctx.addressee_person, "hi"), ctx.name(ctx.addressee_person, "en")
    deadline = ctx.dates[f"deadline_{lang}"]
    if lang == "hi":
        dept = f"{ctx.state('hi')} सरकार, {ctx.capital('hi')}"
        body = [
            Para(
                f"मैं आपका ध्यान {ctx.d('hi')} जिले में {t_hi} की ओर आकर्षित करना चाहता हूँ। समीक्षा बैठक में पाया गया"
                " कि इस विषय में आपके जिले की प्रगति संतोषजनक नहीं है।"
            ),
            Para(
                f"आपसे अनुरोध है कि इस कार्य को व्यक्तिगत प्राथमिकता देते हुए दिनांक {deadline} तक पूर्ण करवाएँ तथा"
                " प्रगति से मुझे अवगत कराएँ।"
            ),
        ]
        return Parts(
            subject=f"{ctx.d('hi')} जिले में {t_hi} की समीक्षा।",
            body=body,
            sender=officer_hi,
            salutation=f"प्रिय {to_hi} जी,",
            closing="सादर,\nभवदीय,",
            letterhead=(officer_hi, f"{desig[0]}, {dept}"),
            addressee=(to_hi, f"{ctx.office[3]},", f"{ctx.d('hi')}।"),
            addressee_at_end=True,
            signature=(f"({officer_hi})",),
            no_label=r.choice(("अ.शा. पत्र संख्या", "अ.शा. पत्रांक")),
            letter_no=f"{ctx.numbers['n2']}/{ctx.year}/{''.join(w[0] for w in desig[1].split())}",
        )
    dept = f"Government of {ctx.state('en')}, {ctx.capital('en')}"
    body = [
        Para(
            f"I am writing to draw your personal attention to the {t_en} in {ctx.d('en')} district. The review"
            " meeting showed that the progress of your district on this account is not satisfactory."
        ),
        Para(
            f"I would request you to give this work your personal priority, complete it by {deadline} and keep me"
            " informed of the progress."
        ),
    ]
    return Parts(
        subject=f"Review of {t_en} in {ctx.d('en')} district.",
        body=body,
        sender=officer_en,
        salutation=f"Dear {to_en},",
        closing="With regards,\nYours sincerely,",
        letterhead=(officer_en.upper(), f"{desig[1]}, {dept}"),
        addressee=(to_en, f"{ctx.office[4]},", f"{ctx.d('en')}."),
        addressee_at_end=True,
        signature=(f"({officer_en})",),
        no_label="D.O. No.",
        letter_no=f"{ctx.numbers['n2']}/{ctx.year}/{''.join(w[0] for w in desig[1].split())}",
    )


def invoice(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    v_hi, v_en = VENDORS[ctx.numbers["n1"] % len(VENDORS)]
    gstin = f"{ctx.numbers['n2'] % 30 + 6:02d}AAB{'CFP'[ctx.numbers['n3'] % 3]}S{ctx.numbers['n4'] % 10000:04d}F1Z{ctx.numbers['n1'] % 9 + 1}"
    picks = r.sample(range(len(INVOICE_ITEMS)), 3)
    rows = []
    total = 0
    for i, k in enumerate(picks, start=1):
        name_hi, name_en, hsn, rate = INVOICE_ITEMS[k]
        qty = r.choice((5, 10, 20, 25, 50, 100))
        amount = qty * rate
        total += amount
        rows.append(
            (
                str(i),
                name_hi if lang == "hi" else name_en,
                hsn,
                str(qty),
                indian_amount(rate),
                indian_amount(amount),
            )
        )
    tax = round(total * 0.09, 2)
    grand = total + 2 * tax
    inv_no = (
        f"{''.join(w[0] for w in v_en.split()[1:3]).upper()}/{ctx.fy}/{ctx.numbers['n2'] % 900 + 100:04d}"
    )
    order = f"{ctx.numbers['n3']}/{ctx.office[2]}/{ctx.year}"
    if lang == "hi":
        header = ("क्र.", "विवरण", "HSN", "मात्रा", "दर (₹)", "राशि (₹)")
        body = [Para(kind="row", cells=header, bold=True)] + [Para(kind="row", cells=row) for row in rows]
        body += [
            Para(kind="row", cells=("", "सीजीएसटी 9%", "", "", "", indian_amount(tax))),
            Para(kind="row", cells=("", "एसजीएसटी 9%", "", "", "", indian_amount(tax))),
            Para(kind="row", cells=("", "कुल देय राशि", "", "", "", indian_amount(grand)), bold=True),
            Para(f"कुल देय राशि ₹ {indian_amount(grand)} का भुगतान हमारे बैंक खाते में आरटीजीएस द्वारा करने का कष्ट करें।"),
        ]
        return Parts(
            subject=f"आपूर्ति आदेश संख्या {order} के अंतर्गत सामग्री की आपूर्ति का बिल।",
            body=body,
            sender=v_hi,
            heading="कर बीजक",
            letterhead=(v_hi, f"मुख्य बाजार, {ctx.d('hi')}, {ctx.state('hi')}", f"GSTIN: {gstin}"),
            addressee=("प्राप्तकर्ता:", f"{ctx.office_name('hi')}।"),
            signature=(f"कृते {v_hi}", "अधिकृत हस्ताक्षरकर्ता"),
            no_label="बीजक संख्या",
            letter_no=inv_no,
            extra={"total": f"{grand:.2f}", "gstin": gstin},
        )
    header = ("S.No.", "Description", "HSN", "Qty", "Rate (₹)", "Amount (₹)")
    body = [Para(kind="row", cells=header, bold=True)] + [Para(kind="row", cells=row) for row in rows]
    body += [
        Para(kind="row", cells=("", "CGST @ 9%", "", "", "", indian_amount(tax))),
        Para(kind="row", cells=("", "SGST @ 9%", "", "", "", indian_amount(tax))),
        Para(kind="row", cells=("", "Grand Total", "", "", "", indian_amount(grand)), bold=True),
        Para(f"Amount in words: Rupees {rupees_in_words(int(round(grand)))} only."),
        Para("Kindly release the payment to our bank account by RTGS/NEFT."),
    ]
    return Parts(
        subject=f"Bill for supply of stationery against Supply Order No. {order}.",
        body=body,
        sender=v_en,
        heading="TAX INVOICE",
        letterhead=(v_en.upper(), f"Main Bazar, {ctx.d('en')}, {ctx.state('en')}", f"GSTIN: {gstin}"),
        addressee=("Bill To:", f"{ctx.office_name('en')}."),
        signature=(f"For {v_en}", "Authorised Signatory"),
        no_label=r.choice(("Invoice No.", "Bill No.")),
        letter_no=inv_no,
        extra={"total": f"{grand:.2f}", "gstin": gstin},
    )


def letter(r: random.Random, lang: str, ctx: Ctx) -> Parts:
    deadline = ctx.dates[f"deadline_{lang}"]
    topics = (
        (
            "जिला स्तरीय समन्वय समिति की बैठक आयोजित करने बाबत।",
            f"उपर्युक्त विषय में लेख है कि जिला स्तरीय समन्वय समिति की बैठक दिनांक {ctx.dates['deadline_hi']} को"
            " प्रातः 11:00 बजे उपायुक्त कार्यालय के सभागार में आयोजित की जाएगी।",
            "Meeting of the District Level Coordination Committee.",
            "It is to inform you that the meeting of the District Level Coordination Committee will be held on"
            f" {ctx.dates['deadline_en']} at 11:00 A.M. in the conference hall of the Deputy Commissioner's office.",
        ),
        (
            f"वित्तीय वर्ष {ctx.fy} हेतु बजट आवंटन के संबंध में।",
            f"उपर्युक्त विषय में लेख है कि वित्तीय वर्ष {ctx.fy} हेतु आपके विभाग को आवंटित बजट का"
            " उपयोग निर्धारित मदों में ही किया जाए तथा व्यय विवरण प्रत्येक माह भेजा जाए।",
            f"Allocation of budget for the financial year {ctx.fy}.",
            f"It is to inform you that the budget allotted to your department for the financial year {ctx.fy}"
            " shall be utilised only under the prescribed heads and a statement of expenditure sent every month.",
        ),
        (
            "उपयोगिता प्रमाण पत्र भिजवाने बाबत।",
            "उपर्युक्त विषय में लेख है कि गत वित्तीय वर्ष में जारी अनुदान राशि के उपयोगिता प्रमाण पत्र अभी तक इस"
            " कार्यालय को प्राप्त नहीं हुए हैं।",
            "Submission of utilisation certificates.",
            "It is to inform you that the utilisation certificates for the grants released during the last"
            " financial year have not yet been received in this office.",
        ),
        (
            "विभागीय योजनाओं की मासिक प्रगति रिपोर्ट भेजने बाबत।",
            "उपर्युक्त विषय में लेख है कि विभागीय योजनाओं की मासिक प्रगति रिपोर्ट निर्धारित प्रपत्र में प्रत्येक माह"
            " की पाँच तारीख तक इस कार्यालय को भेजी जानी है।",
            "Submission of monthly progress report of departmental schemes.",
            "It is to inform you that the monthly progress report of departmental schemes is to be sent to this"
            " office in the prescribed proforma by the fifth of every month.",
        ),
    )
    s_hi, b_hi, s_en, b_en = _pick(topics, ctx)
    ref_no = f"{ctx.numbers['n4'] % 9000 + 100}"
    if lang == "hi":
        return Parts(
            subject=s_hi,
            body=[
                Para(b_hi),
                Para(f"अतः अनुरोध है कि वांछित कार्यवाही दिनांक {deadline} तक पूर्ण कर इस कार्यालय को अवगत कराएँ।"),
            ],
            sender=ctx.office_name("hi"),
            salutation="महोदय,",
            closing="भवदीय,",
            addressee=("सेवा में,", "समस्त खण्ड विकास एवं पंचायत अधिकारी,", f"जिला {ctx.d('hi')}।"),
            references=(f"संदर्भ: इस कार्यालय का पत्रांक {ref_no} दिनांक {ctx.dates['ref_hi']}।",)
            if r.random() < 0.6
            else (),
            copy_to=r.random() < 0.5,
            more=GENERIC_MORE["hi"],
        )
    return Parts(
        subject=s_en,
        body=[
            Para(b_en),
            Para(
                f"You are therefore requested to complete the needful by {deadline} and inform this office."
            ),
        ],
        sender=ctx.office_name("en"),
        salutation="Sir/Madam,",
        closing="Yours faithfully,",
        addressee=("To", "All Block Development and Panchayat Officers,", f"District {ctx.d('en')}."),
        references=(f"Reference: This office letter No. {ref_no} dated {ctx.dates['ref_en']}.",)
        if r.random() < 0.6
        else (),
        copy_to=r.random() < 0.5,
        more=GENERIC_MORE["en"],
    )


CATEGORIES = {
    "rti": rti,
    "court": court,
    "grievance": grievance,
    "parliament": parliament,
    "vip": vip,
    "circular": circular,
    "office_memorandum": office_memorandum,
    "do_letter": do_letter,
    "invoice": invoice,
    "letter": letter,
}


def copy_to_lines(ctx: Ctx, lang: str) -> tuple[str, ...]:
    """The endorsement list under the signature."""
    if lang == "hi":
        return (
            "प्रतिलिपि: निम्नलिखित को सूचनार्थ एवं आवश्यक कार्यवाही हेतु प्रेषित:-",
            f"1. मुख्य सचिव, {ctx.state('hi')} सरकार, {ctx.capital('hi')}।",
            f"2. अपर उपायुक्त, {ctx.d('hi')}।",
            f"3. जिला सूचना विज्ञान अधिकारी, एनआईसी, {ctx.d('hi')} को वेबसाइट पर अपलोड करने हेतु।",
            "4. कार्यालय प्रति / गार्ड फाइल।",
        )
    return (
        "Copy forwarded for information and necessary action to:-",
        f"1. The Chief Secretary, Government of {ctx.state('en')}, {ctx.capital('en')}.",
        f"2. The Additional Deputy Commissioner, {ctx.d('en')}.",
        f"3. The District Informatics Officer, NIC, {ctx.d('en')}, for uploading on the website.",
        "4. Guard file.",
    )
