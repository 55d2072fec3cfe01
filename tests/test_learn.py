"""The learned category and section model: training, safe storage, and its part in classification."""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from pipeline import classify, extract, learn
from pipeline.model import Category
from pipeline.registry import NewReceipt, Registry
from samples import make_samples
from tests.conftest import render_lines

ROOT = Path(__file__).resolve().parent.parent
RULES = classify.load_rules(ROOT / "config" / "categories.toml")


@dataclass(frozen=True)
class Example:
    ocr_text: str
    category: str
    section: str | None
    corrected: bool = False


def _examples(seeds: range) -> list[Example]:
    out = []
    for seed in seeds:
        spec = make_samples.make_spec(seed)
        section = "Accounts" if spec.category == "invoice" else "General"
        out.append(Example("\f".join(make_samples.page_texts(spec)), spec.category, section))
    return out


@pytest.fixture(scope="module")
def model() -> learn.LearnedModel:
    return learn.train(_examples(range(1000, 1120)))


def test_learns_categories_it_was_not_told_the_cues_of(model: learn.LearnedModel) -> None:
    held_out = _examples(range(5000, 5040))
    right = sum(model.predict(e.ocr_text)["category"].label == e.category for e in held_out)
    assert right >= 0.8 * len(held_out)
    assert model.meta["examples"] == 120
    assert set(model.heads) == {"category", "section"}


def test_model_file_holds_plain_arrays_only(model: learn.LearnedModel, tmp_path: Path) -> None:
    path = learn.save_model(model, tmp_path / "model" / "classifier.npz")
    with np.load(path, allow_pickle=False) as data:  # would raise on any object (pickled) array
        assert all(data[name].dtype != object for name in data.files)
    again = learn.load_model(path)
    assert again is not None and again.vocabulary == model.vocabulary
    text = _examples(range(7000, 7001))[0].ocr_text
    assert again.predict(text)["category"].probabilities == pytest.approx(
        model.predict(text)["category"].probabilities
    )


def test_a_pickle_in_place_of_the_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "classifier.npz"
    np.savez(path, meta=np.array([{"format": learn.FORMAT}], dtype=object))
    with pytest.raises(learn.ModelError, match="dak train"):
        learn.load_model(path)
    path.write_bytes(pickle.dumps({"format": learn.FORMAT}))
    with pytest.raises(learn.ModelError):
        learn.load_model(path)


def test_no_model_file_means_rules_only(tmp_path: Path) -> None:
    assert learn.load_model(tmp_path / "missing.npz") is None


def test_training_needs_two_categories() -> None:
    with pytest.raises(learn.ModelError, match="at least two categories"):
        learn.train([Example("some letter text", "rti", None)] * 3)


SHOP_BILL = (
    "Sharma Cable Network\nMain Bazar, Hamirpur\n\nTo\nThe Tehsildar, Hamirpur\n\n"
    "Subject: Monthly charges for the cable connection at the Tehsil rest house\n\n"
    "Sir,\nThe charges for the connection at the rest house for the quarter ending June come to "
    "Rs. 1,350. Kindly arrange to clear the dues at the earliest.\n\nYours faithfully,\nProprietor\n"
)


def test_a_correction_changes_the_next_decision() -> None:
    """A letter the rules call a plain letter, corrected to an invoice, teaches the model."""
    letter = extract.extract_letter(SHOP_BILL)
    before = classify.classify(SHOP_BILL, letter, RULES)
    assert before.category is Category.LETTER and not before.learned
    corrected = [
        Example(SHOP_BILL.replace("June", month).replace("1,350", amount), "invoice", "Accounts", True)
        for month, amount in (("June", "1,350"), ("March", "1,200"), ("September", "1,500"))
    ]
    others = _examples(range(2000, 2030))
    model = learn.train(corrected + [e for e in others if e.category != "invoice"])
    after_text = SHOP_BILL.replace("June", "December").replace("1,350", "1,410")
    after = classify.classify(after_text, extract.extract_letter(after_text), RULES, model=model)
    assert after.category is Category.INVOICE and after.learned
    assert after.section == "Accounts"  # the invoice routing rule
    assert 0.3 < after.confidence <= 1.0


def test_rules_still_decide_where_they_are_sure(model: learn.LearnedModel) -> None:
    text = (
        "सेवा में,\nजन सूचना अधिकारी\nविषय: सूचना का अधिकार अधिनियम 2005 के अंतर्गत सूचना हेतु आवेदन\n"
        "महोदय,\nकृपया धारा 6(1) के अंतर्गत निम्नलिखित सूचना उपलब्ध कराएं।\n"
    )
    result = classify.classify(text, extract.extract_letter(text), RULES, model=model)
    assert result.category is Category.RTI and result.section == "RTI Cell"


def test_a_learned_section_comes_before_the_drop_folder(model: learn.LearnedModel) -> None:
    text = (
        "Office of the District Agriculture Officer, Hisar\nNo. DAO/Genl/2025/311  Dated: 04.08.2025\n"
        "To\nThe Deputy Director\nSubject: Nomination of an officer for the seminar on soil testing\n"
        "Sir,\nPlease nominate one officer of your office for the seminar to be held next month.\n"
        "Yours faithfully,\nDistrict Agriculture Officer\n"
    )
    letter = extract.extract_letter(text)
    assert classify.classify(text, letter, RULES, drop_section="Inward").section == "Inward"
    learned = classify.classify(text, letter, RULES, drop_section="Inward", model=model)
    assert model.predict(text)["section"].label == "General"
    assert learned.section == "General"


# --- end to end: correct and confirm through `dak receipts`, `dak train`, then `dak ingest` ------------

DAK = [sys.executable, "-m", "flows.cli"]


def _dak(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*DAK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"dak {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
    return result


def _diarise(registry: Registry, text: str, n: int) -> str:
    letter = extract.extract_letter(text)
    new = NewReceipt(
        office="TST",
        diary_format="{office}/{year}/{seq:06d}",
        received_at=datetime.now(UTC),
        source=f"test-{n}",
        sha256=hashlib.sha256(f"{n}:{text}".encode()).hexdigest(),
        pages=1,
        letter=letter,
        classification=classify.classify(text, letter, RULES),
        ocr_text=text,
    )
    diary_no = registry.diarise(new).diary_no
    assert diary_no is not None
    return diary_no


@pytest.mark.slow
def test_correct_train_and_ingest_through_the_cli(dak_env: dict[str, str], tmp_path: Path) -> None:
    home = Path(dak_env["DAK_HOME"])
    home.mkdir(parents=True)
    empty = subprocess.run(
        [*DAK, "train"], env=dak_env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert empty.returncode == 3 and "at least two categories" in empty.stderr
    assert "Traceback" not in empty.stderr
    bills = [
        SHOP_BILL.replace("June", m).replace("Tehsil rest house", place)
        for m, place in (("March", "Tehsil office"), ("September", "circuit house"), ("June", "record room"))
    ]
    with Registry(f"sqlite:///{home / 'registry.sqlite3'}") as registry:
        bill_nos = [_diarise(registry, text, i) for i, text in enumerate(bills)]
        other_nos = [
            _diarise(registry, "\f".join(make_samples.page_texts(make_samples.make_spec(s))), 100 + s)
            for s in range(3000, 3002)
        ]
    for diary_no in bill_nos:
        _dak("receipts", "correct", diary_no, "--category", "invoice", env=dak_env)
    for diary_no in other_nos:
        _dak("receipts", "confirm", diary_no, env=dak_env)

    summary = json.loads(_dak("train", "--json", env=dak_env).stdout)
    assert summary["examples"] == 5 and summary["corrected"] == 3
    assert summary["categories"]["invoice"] >= 3
    model_file = home / learn.MODEL_FILE
    assert Path(summary["model"]) == model_file and model_file.exists()

    new_bill = SHOP_BILL.replace("June", "December").replace("Tehsil rest house", "guest house")
    assert classify.classify(new_bill, extract.extract_letter(new_bill), RULES).category is Category.LETTER
    scan = tmp_path / "bill.png"
    render_lines(new_bill.split("\n")).save(scan, dpi=(300, 300))
    record = json.loads(_dak("ingest", "--json", str(scan), env=dak_env).stdout.splitlines()[0])
    assert record["status"] == "diarised"
    assert record["category"] == "invoice" and record["section"] == "Accounts"
