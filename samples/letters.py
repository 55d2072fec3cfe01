"""A second, independent set of labelled letters for the understanding benchmark (bench/understand.py).

Written apart from `samples/content.py` and from the cues in config/categories.toml: the wording
paraphrases what such letters say (an RTI applicant "seeks copies under the transparency law",
a bill "claims payment"), labels and date forms vary (`पत्रांक`, `Memo No.`, `F. No.`,
`E-48776/2025-26`; `23rd February, 2026`, `17/Apr/2025`, `२३/०२/२०२६`), and some letters carry an
e-Office stamp. The letters are typeset and damaged with `samples.make_samples`.
"""

# ruff: noqa: E501  (long literal sentences of letter text)
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from samples import content
from samples.content import Para
from samples.make_samples import LetterSpec

CATEGORIES = (
    "rti",
    "court",
    "grievance",
    "parliament",
    "vip",
    "circular",
    "office_memorandum",
    "do_letter",
    "invoice",
    "letter",
)
LANGUAGES = ("hi", "en", "mixed")
HI_MONTHS = ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्तूबर", "नवंबर", "दिसंबर")
EN_MONTHS = content.EN_MONTHS
START = date(2025, 5, 1)

OFFICES = (
    (
        "कार्यालय अधीक्षण अभियंता, लोक निर्माण विभाग, {d}",
        "Office of the Superintending Engineer, PWD, {d}",
        "SE/PWD",
    ),
    ("कार्यालय मुख्य चिकित्सा अधिकारी, {d}", "Office of the Chief Medical Officer, {d}", "CMO"),
    ("कार्यालय जिला आपूर्ति अधिकारी, {d}", "Office of the District Supply Officer, {d}", "DSO"),
    (
        "क्षेत्रीय कार्यालय, कर्मचारी भविष्य निधि संगठन, {d}",
        "Regional Office, Employees' Provident Fund Organisation, {d}",
        "RO/EPFO",
    ),
    ("कार्यालय जिला कृषि अधिकारी, {d}", "Office of the District Agriculture Officer, {d}", "DAO"),
)
MINISTRIES = (
    ("भारत सरकार, ग्रामीण विकास मंत्रालय", "Government of India, Ministry of Rural Development", "RD"),
    ("भारत सरकार, श्रम एवं रोज़गार मंत्रालय", "Government of India, Ministry of Labour and Employment", "LE"),
    ("भारत सरकार, जल शक्ति मंत्रालय", "Government of India, Ministry of Jal Shakti", "JS"),
)
FIRMS = (
    ("मैसर्स गुप्ता स्टेशनर्स", "M/s Gupta Stationers"),
    ("मैसर्स शिवम कंप्यूटर्स", "M/s Shivam Computers"),
    ("मैसर्स नेहा ट्रेवल्स", "M/s Neha Travels"),
)


@dataclass(frozen=True)
class Text:
    """One letter's wording in one language."""

    subject: str
    body: tuple[str, ...]
    heading: str | None = None
    salutation: str = ""


def _date_text(d: date, lang: str, r: random.Random) -> str:
    if lang == "hi":
        forms = [
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day} {HI_MONTHS[d.month - 1]} {d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}".translate(content.DEVANAGARI_DIGITS),
            f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}",
        ]
    else:
        forms = [
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{content.ordinal(d.day)} {EN_MONTHS[d.month - 1]}, {d.year}",
            f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{d.day:02d}/{EN_MONTHS[d.month - 1][:3]}/{d.year}",
            f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}",
        ]
    return r.choice(forms)


def _wording(cat: str, lang: str, r: random.Random, w: dict[str, str]) -> Text:
    """Paraphrased wording per category; `w` holds the names and numbers drawn for this letter."""
    hi = lang == "hi"
    if cat == "rti":
        if hi:
            return Text(
                f"सूचना अधिकार कानून, 2005 की धारा 6 के अधीन {w['village_hi']} में हैंडपंप मरम्मत पर हुए व्यय की प्रतियाँ प्राप्त करने हेतु आवेदन",
                (
                    "मैं, "
                    + w["citizen_hi"]
                    + ", निवेदन करता हूँ कि वर्ष "
                    + w["fy"]
                    + " में ग्राम पंचायत द्वारा हैंडपंप मरम्मत पर खर्च की गई राशि का विवरण तथा संबंधित बिलों की प्रमाणित प्रतियाँ मुझे उपलब्ध कराई जाएँ।",
                    "आवेदन शुल्क के रूप में दस रुपये का पोस्टल ऑर्डर संलग्न है। मैं गरीबी रेखा से ऊपर का नागरिक हूँ।",
                ),
                salutation="महोदय,",
            )
        return Text(
            f"Request for copies of records relating to road works in {w['village_en']} under the Right To Information Act, 2005",
            (
                f"I, {w['citizen_en']}, wish to obtain certified copies of the measurement book and the completion certificate of the road laid in village {w['village_en']} during {w['fy']}.",
                "The fee of ten rupees is paid by Indian Postal Order. Kindly supply the documents within the time laid down in the Act.",
            ),
            salutation="Sir,",
        )
    if cat == "court":
        if hi:
            return Text(
                f"माननीय उच्च न्यायालय में लंबित रिट याचिका संख्या {w['n']}/{w['year']} ({w['citizen_hi']} बनाम राज्य) में जवाबदावा प्रस्तुत करने बाबत",
                (
                    "उपरोक्त मामले में माननीय न्यायालय ने विभाग से चार सप्ताह में जवाब मांगा है। अगली पेशी "
                    + w["later_hi"]
                    + " को नियत है।",
                    "अतः प्रकरण से संबंधित अभिलेख तथा तथ्यात्मक टिप्पणी सरकारी अधिवक्ता को तुरंत भेजने का कष्ट करें।",
                ),
                salutation="महोदय,",
            )
        return Text(
            f"W.P.(C) No. {w['n']} of {w['year']} titled {w['citizen_en']} vs. Union of India and others before the High Court: filing of reply",
            (
                "The Hon'ble Court has issued notice to the respondents and listed the matter for "
                + w["later_en"]
                + ".",
                "You are requested to furnish parawise comments along with the relevant records to the Central Government counsel so that the reply can be filed in time.",
            ),
            salutation="Sir,",
        )
    if cat == "grievance":
        if hi:
            return Text(
                "राशन कार्ड होने के बावजूद तीन माह से खाद्यान्न न मिलने की शिकायत",
                (
                    "मैं "
                    + w["village_hi"]
                    + " का निवासी हूँ। मेरे पास अंत्योदय राशन कार्ड है, फिर भी उचित मूल्य दुकानदार पिछले तीन महीनों से मुझे गेहूँ और चावल नहीं दे रहा है।",
                    "कृपया जाँच कराकर मेरी समस्या का समाधान कराने की कृपा करें।",
                ),
                salutation="महोदय,",
            )
        return Text(
            "Complaint regarding non-payment of my pension arrears for over six months",
            (
                f"I retired from service and my revised pension arrears have still not been credited despite repeated visits. Registration No. {w['n']} on the public grievance portal is still pending.",
                "I request that the matter be looked into and the amount released without further delay.",
            ),
            salutation="Sir,",
        )
    if cat == "parliament":
        if hi:
            return Text(
                f"लोक सभा अतारांकित प्रश्न संख्या {w['n']} के उत्तर हेतु सामग्री उपलब्ध कराने के संबंध में",
                (
                    "माननीय सदस्य द्वारा पूछे गए उपर्युक्त प्रश्न का उत्तर " + w["later_hi"] + " को सदन में दिया जाना है।",
                    "अतः अपने क्षेत्र से संबंधित सूचना निर्धारित प्रारूप में तत्काल ई-मेल द्वारा भेजें।",
                ),
                salutation="महोदय,",
            )
        return Text(
            f"Rajya Sabha Starred Question No. {w['n'] % 300} for answer on {w['later_en']} regarding rural roads",
            (
                "The above question has been admitted and the reply is to be laid on the Table of the House on the date mentioned.",
                "Material for the reply, duly vetted, may be sent to this Ministry by e-mail latest by tomorrow.",
            ),
            salutation="Sir,",
        )
    if cat == "vip":
        if hi:
            return Text(
                f"ग्राम {w['village_hi']} में नए आंगनबाड़ी केंद्र की स्थापना के संबंध में",
                (
                    "मेरे निर्वाचन क्षेत्र के ग्राम "
                    + w["village_hi"]
                    + " के निवासियों ने नया आंगनबाड़ी केंद्र खोलने की मांग की है। ग्राम में छोटे बच्चों की संख्या काफी अधिक है।",
                    "आपसे अनुरोध है कि इस विषय में आवश्यक कार्रवाई कर मुझे अवगत कराएँ।",
                ),
                salutation="प्रिय महोदय,",
            )
        return Text(
            f"Request of residents of {w['village_en']} for upgradation of the primary health centre",
            (
                "Residents of my constituency have represented that the health centre lacks a doctor and essential medicines.",
                "I shall be grateful if you could look into the matter personally and inform me of the action taken.",
            ),
            salutation="Dear Sir,",
        )
    if cat == "circular":
        if hi:
            return Text(
                "कार्यालयों में ई-ऑफिस के माध्यम से ही पत्राचार करने के निर्देश",
                (
                    "सभी शाखा प्रभारियों को निर्देशित किया जाता है कि दिनांक 01 से समस्त पत्रावलियाँ केवल ई-ऑफिस प्रणाली पर ही संचालित की जाएँ।",
                    "इन निर्देशों का कड़ाई से पालन सुनिश्चित किया जाए।",
                ),
                heading="परिपत्र",
            )
        return Text(
            "Biometric attendance of all employees: instructions",
            (
                "It has been observed that several employees are not marking attendance through the biometric system. All officers and staff shall mark attendance on arrival and departure.",
                "Heads of branches shall ensure compliance. This issues with the approval of the competent authority.",
            ),
            heading="CIRCULAR",
        )
    if cat == "office_memorandum":
        if hi:
            return Text(
                "केंद्रीय सरकारी कर्मचारियों को बाल शिक्षा भत्ते की प्रतिपूर्ति संबंधी स्पष्टीकरण",
                (
                    "अधोहस्ताक्षरी को उपर्युक्त विषय पर इस विभाग के पूर्व आदेशों का संदर्भ देते हुए यह कहने का निदेश हुआ है कि प्रतिपूर्ति का दावा वर्ष में एक बार ही किया जाएगा।",
                    "यह सक्षम प्राधिकारी के अनुमोदन से जारी किया जाता है।",
                ),
                heading="कार्यालय ज्ञापन",
            )
        return Text(
            "Grant of special casual leave for participation in sports events: clarification",
            (
                "The undersigned is directed to refer to this Department's earlier instructions on the subject and to state that special casual leave may be granted for up to thirty days in a calendar year.",
                "All Ministries and Departments are requested to bring this to the notice of all concerned.",
            ),
            heading="OFFICE MEMORANDUM",
        )
    if cat == "do_letter":
        if hi:
            return Text(
                "जल जीवन मिशन के अंतर्गत लंबित कार्यों की प्रगति",
                (
                    "जैसा कि आप जानते हैं, जल जीवन मिशन के अंतर्गत आपके जिले में अनेक कार्य लंबे समय से अधूरे हैं।",
                    "मेरा अनुरोध है कि आप व्यक्तिगत रूप से इनकी समीक्षा कर प्रगति से मुझे अवगत कराएँ। सादर,",
                ),
                salutation=f"प्रिय {w['addressee_hi']} जी,",
            )
        return Text(
            "Progress of the housing scheme in your district",
            (
                "I am writing to draw your personal attention to the slow progress of houses sanctioned under the rural housing scheme in your district.",
                "I would be grateful if you could review the position and let me know of the steps taken. With warm regards,",
            ),
            salutation=f"Dear {w['addressee_en']},",
        )
    if cat == "invoice":
        if hi:
            return Text(
                f"आपूर्ति की गई स्टेशनरी सामग्री के भुगतान हेतु बीजक संख्या {w['n']}",
                (
                    f"आपके कार्यालय के आदेशानुसार दिनांक {w['earlier_hi']} को स्टेशनरी की आपूर्ति की गई थी। कुल देय राशि रु. {w['amount']} (जीएसटी सहित) है।",
                    "कृपया भुगतान हमारे बैंक खाते में शीघ्र करने का कष्ट करें।",
                ),
                salutation="महोदय,",
            )
        return Text(
            f"Claim for payment against supply order for computer peripherals, bill no. {w['n']}",
            (
                f"As per your supply order, the printers and cartridges were delivered on {w['earlier_en']}. The total amount due, inclusive of GST, is Rs. {w['amount']}.",
                "You are requested to release the payment to our bank account at the earliest.",
            ),
            salutation="Sir,",
        )
    if hi:
        return Text(
            "कार्यालय भवन की छत की मरम्मत हेतु प्राक्कलन भेजने के संबंध में",
            (
                "वर्षा के कारण कार्यालय भवन की छत से पानी टपक रहा है, जिससे अभिलेखों को क्षति पहुँचने की आशंका है।",
                "अतः मरम्मत का प्राक्कलन तैयार कर शीघ्र भेजने का कष्ट करें।",
            ),
            salutation="महोदय,",
        )
    return Text(
        "Nomination of an officer for the training programme on office procedure",
        (
            "A five-day training programme on office procedure and noting and drafting will be held in the training institute next month.",
            "You are requested to nominate one officer of your office and send the name by the end of this week.",
        ),
        salutation="Sir,",
    )


def _draw(r: random.Random) -> dict[str, Any]:
    place = r.choice(content.PLACES)
    people = r.sample(content.PEOPLE, 3)
    d = START + timedelta(days=r.randrange(300))
    return {
        "date": d,
        "place": place,
        "citizen_hi": people[0][0],
        "citizen_en": people[0][1],
        "addressee_hi": people[1][0].split()[0],
        "addressee_en": "Shri " + people[1][1],
        "officer_hi": people[2][0],
        "officer_en": people[2][1],
        "village_hi": r.choice(content.VILLAGES)[0],
        "village_en": r.choice(content.VILLAGES)[1],
        "n": r.randrange(100, 9999),
        "amount": f"{r.randrange(12, 900) * 105:,}",
        "year": d.year,
        "fy": f"{d.year - (d.month < 4)}-{(d.year - (d.month < 4) + 1) % 100:02d}",
        "later_hi": f"{(d + timedelta(days=20)).day} {HI_MONTHS[(d + timedelta(days=20)).month - 1]}",
        "later_en": f"{(d + timedelta(days=20)).day} {EN_MONTHS[(d + timedelta(days=20)).month - 1]}",
        "earlier_hi": (d - timedelta(days=12)).strftime("%d.%m.%Y"),
        "earlier_en": (d - timedelta(days=12)).strftime("%d.%m.%Y"),
    }


def _number(
    cat: str, lang: str, r: random.Random, w: dict[str, Any], code: str
) -> tuple[str | None, str, str | None]:
    """(letter number, its label, e-file number) as such a letter would print them."""
    n, year = w["n"], w["year"]
    eoffice = f"E-{r.randrange(10000, 99999)}/{w['fy']}"
    if cat in ("rti", "grievance") and lang != "en" or cat == "grievance" and r.random() < 0.5:
        return None, "", None  # a citizen's application carries no number
    if cat == "invoice":
        return (
            f"{r.choice(('INV', 'GS', 'BL'))}/{w['fy']}/{n}",
            r.choice(("Invoice No.", "Bill No.")) if lang != "hi" else "बिल सं.",
            None,
        )
    if cat == "do_letter":
        label = "अ.शा. पत्र सं." if lang == "hi" else "D.O. No."
        return f"{r.randrange(1, 40)}/{code}/{year}-{r.choice(('Dev', 'Coord'))}", label, None
    if cat == "office_memorandum":
        no = f"{r.randrange(1, 30)}/{r.randrange(1, 20)}/{year}-Estt.(L)"
        return no, "F. No." if lang != "hi" else "फा. सं.", no
    if r.random() < 0.3:
        return eoffice, "No." if lang != "hi" else "क्रमांक", eoffice
    label = {
        "hi": ("पत्रांक", "क्रमांक", "संख्या", "पत्र सं.", "संख्या-", "पत्र सं०", "क्र०"),
        "en": ("No.", "Memo No.", "Letter No.", "Endst. No."),
    }
    labels = label["en" if lang == "en" else r.choice(("hi", "en"))]
    no = r.choice(
        (
            f"{code}/{r.choice(('Estt', 'Accts', 'Genl'))}/{year}/{n}",
            f"{n}/{code}/{w['fy']}",
            f"{code}-{n}/{year}",
        )
    )
    return no, r.choice(labels), None


def make_letter(seed: int, category: str, language: str) -> LetterSpec:
    """One labelled letter; the same arguments always give the same letter."""
    r = random.Random(seed)
    w = _draw(r)
    main = "en" if language == "en" else "hi"
    text = _wording(category, main, r, w)
    d_name_hi, d_name_en = w["place"][0], w["place"][1]
    office = r.choice(OFFICES)
    ministry = r.choice(MINISTRIES)
    office_hi, office_en = office[0].format(d=d_name_hi), office[1].format(d=d_name_en)
    letterhead: tuple[str, ...]
    signature: tuple[str, ...]
    closing = "भवदीय," if main == "hi" else "Yours faithfully,"
    to_office = OFFICES[(OFFICES.index(office) + 1 + r.randrange(len(OFFICES) - 1)) % len(OFFICES)]
    to_hi, to_en = to_office[0].format(d=d_name_hi), to_office[1].format(d=d_name_en)
    addressee = ("सेवा में,", to_hi) if main == "hi" else ("To", to_en)
    if category in ("rti", "grievance"):
        letterhead = ()
        sender = w["citizen_hi"] if main == "hi" else w["citizen_en"]
        signature = (
            sender,
            f"ग्राम {w['village_hi']}, {d_name_hi}"
            if main == "hi"
            else f"Village {w['village_en']}, {d_name_en}",
        )
        closing = "प्रार्थी," if main == "hi" else "Yours faithfully,"
    elif category == "vip":
        name = w["officer_hi"] if main == "hi" else w["officer_en"]
        role = r.choice(
            (
                ("सांसद, लोक सभा", "Member of Parliament (Lok Sabha)"),
                ("विधायक, " + d_name_hi, "MLA, " + d_name_en),
            )
        )
        letterhead = (
            name,
            role[0] if main == "hi" else role[1],
            f"{d_name_hi}" if main == "hi" else d_name_en,
        )
        sender = name
        signature = (name,)
        closing = "सादर," if main == "hi" else "Yours sincerely,"
    elif category == "invoice":
        firm = r.choice(FIRMS)
        sender = firm[0] if main == "hi" else firm[1]
        letterhead = (
            sender,
            f"GSTIN: 0{r.randrange(1, 9)}ABCDE{r.randrange(1000, 9999)}F1Z{r.randrange(1, 9)}",
            f"Main Bazar, {d_name_en}",
        )
        signature = ("प्रोप्राइटर" if main == "hi" else "Proprietor", sender)
    elif category in ("parliament", "office_memorandum", "do_letter"):
        ministry_line = ministry[0] if main == "hi" else ministry[1]
        parts = ministry_line.split(", ")
        letterhead = tuple(parts) + (("कृषि भवन, नई दिल्ली" if main == "hi" else "Krishi Bhawan, New Delhi"),)
        sender = parts[1]
        officer = w["officer_hi"] if main == "hi" else w["officer_en"]
        signature = (
            f"({officer})",
            "अवर सचिव, भारत सरकार" if main == "hi" else "Under Secretary to the Government of India",
        )
        if category == "do_letter":
            signature = (officer, "संयुक्त सचिव" if main == "hi" else "Joint Secretary")
            closing = "सादर," if main == "hi" else "Yours sincerely,"
            addressee = (
                (f"श्री {w['addressee_hi']}", "जिलाधिकारी, " + d_name_hi)
                if main == "hi"
                else (w["addressee_en"], "District Magistrate, " + d_name_en)
            )
        if category == "office_memorandum":
            addressee, closing = (), ""
    else:
        letterhead = (
            (office_hi, office_en)
            if language == "mixed"
            else ((office_hi,) if main == "hi" else (office_en,))
        )
        letterhead += (
            (f"दूरभाष: 0{r.randrange(120, 189)}-{r.randrange(2200000, 2899999)}",) if r.random() < 0.5 else ()
        )
        sender = office_hi if language == "hi" else office_en  # bilingual letterhead: either line
        officer = w["officer_hi"] if main == "hi" else w["officer_en"]
        signature = (f"({officer})", "कार्यालयाध्यक्ष" if main == "hi" else "Head of Office")
        if category == "circular":
            addressee, closing = (), ""
    letter_no, no_label, file_no = _number(
        category,
        language,
        r,
        w,
        office[2] if category in ("rti", "court", "grievance", "circular", "letter") else ministry[2],
    )
    date_label = (
        r.choice(("दिनांक", "दिनांकः", "दि.", "दि०", "दिनांक:-"))
        if main == "hi"
        else r.choice(("Dated:", "Date:", "Dated", "Dt."))
    )
    subject_label = (
        r.choice(("विषय:", "विषयः", "विषय :-"))
        if main == "hi"
        else r.choice(("Subject:", "Sub:", "Sub.:-", "SUBJECT:"))
    )
    if language == "mixed":
        no_label = f"{no_label}/No." if no_label and not no_label.isascii() else no_label
        date_label, subject_label = "दिनांक/Date:", "विषय/Subject:"
    body = [Para(p) for p in text.body]
    if language == "mixed":
        other = _wording(category, "en", random.Random(seed), w)
        body.append(Para(other.body[0]))
    references: tuple[str, ...] = ()
    if category in ("court", "parliament", "office_memorandum", "letter") and r.random() < 0.5:
        ref_date = (w["date"] - timedelta(days=30)).strftime("%d.%m.%Y")
        references = (
            (f"संदर्भ: इस कार्यालय का पत्र सं. {w['n'] - 7}/{w['year']} दिनांक {ref_date}",)
            if main == "hi"
            else (f"Ref: This office letter No. {w['n'] - 7}/{w['year']} dated {ref_date}",)
        )
    if r.random() < 0.3 and letter_no:
        body.append(
            Para(
                f"{r.randrange(10000, 99999)}/{w['year']}/{office[2].split('/')[0]}-{r.choice(('DARPG', 'ESTT', 'COORD'))}",
                kind="right",
            )
        )
    priority, priority_mark = "normal", None
    if category not in ("rti", "invoice", "grievance") and r.random() < 0.35:
        priority = r.choice(("immediate", "most_immediate", "priority"))
        priority_mark = {
            "hi": {"immediate": "तत्काल", "most_immediate": "अत्यावश्यक", "priority": "प्राथमिकता"},
            "en": {"immediate": "URGENT", "most_immediate": "Top Priority", "priority": "Priority"},
        }[main][priority]
    security, security_mark = "normal", None
    if category in ("vip", "do_letter", "letter", "office_memorandum") and r.random() < 0.25:
        security = r.choice(("confidential", "secret"))
        security_mark = {
            "hi": {"confidential": "गोपनीय", "secret": "गुप्त"},
            "en": {"confidential": "CONFIDENTIAL", "secret": "SECRET"},
        }[main][security]
    return LetterSpec(
        seed=seed,
        language=language,
        category=category,
        letter_date=w["date"],
        date_text=_date_text(w["date"], main, r),
        subject=text.subject,
        sender=sender,
        body=tuple(body),
        priority=priority,
        priority_mark=priority_mark,
        security=security,
        security_mark=security_mark,
        letterhead=letterhead,
        letter_no=letter_no,
        no_label=no_label or "No.",
        date_label=date_label,
        date_own_line=r.random() < 0.3,
        file_no=file_no,
        heading=text.heading,
        addressee=addressee,
        subject_label=subject_label,
        references=references,
        salutation=text.salutation,
        closing=closing,
        signature=signature,
        family=r.choice(("serif", "sans", "lohit")),
        indent_paras=r.random() < 0.5,
        rule_under_letterhead=r.random() < 0.7,
    )


DAMAGE = (
    {"skew": 1.5, "noise": 0.03, "blur": 0.5, "dpi_scale": 2 / 3},
    {"skew": -2.5, "uneven_light": 0.3, "punch_holes": True},
    {"rotate": 180, "noise": 0.02, "jpeg": 60},
    {"skew": 0.8, "border": True, "blur": 0.8, "dpi_scale": 2 / 3},
    {"perspective": 0.3, "uneven_light": 0.2},
)


def labelled_set(seed: int = 4, per_cell: int = 1) -> list[tuple[str, LetterSpec, dict[str, Any] | None]]:
    """Every category in every language, clean and damaged: (name, spec, damage or None)."""
    out = []
    r = random.Random(seed)
    for cat in CATEGORIES:
        for lang in LANGUAGES:
            for k in range(per_cell):
                s = r.randrange(1, 10**6)
                spec = make_letter(s, cat, lang)
                out.append((f"{cat}_{lang}_{k}_clean", spec, None))
                spec2 = make_letter(s + 1, cat, lang)
                out.append((f"{cat}_{lang}_{k}_damaged", spec2, dict(r.choice(DAMAGE), seed=s)))
    return out
