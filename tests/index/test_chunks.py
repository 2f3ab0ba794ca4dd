"""chunks: every search window leads back to its clause, long clauses are windowed without losing a character."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybot.document import Document
from policybot.index.chunks import WINDOW_CHARS, chunk_document
from policybot.ingest.corpus import read_document
from policybot.ingest.parser import parse_document

DATA = Path(__file__).parent.parent / "data"
SEED_NAME = "zunyi-fubanhan-2020-141.txt"


@pytest.fixture(scope="module")
def seed_doc(seed_text: str) -> Document:
    """The seed document parsed."""
    return parse_document(seed_text, SEED_NAME)


@pytest.fixture(scope="module", params=["seed", "gbk_notice.txt", "fullwidth_units.txt"])
def any_doc(request: pytest.FixtureRequest, seed_doc: Document) -> Document:
    """The seed and the test documents (GBK, full-width punctuation)."""
    return seed_doc if request.param == "seed" else read_document(DATA / request.param)


def test_every_chunk_maps_back_to_an_existing_clause(any_doc: Document) -> None:
    chunks = chunk_document(any_doc)
    assert chunks
    clause_ids = [c.id for c in any_doc.clauses]
    for chunk in chunks:
        assert chunk.doc_id == any_doc.doc_id
        assert any_doc.clause(chunk.clause_id).id == chunk.clause_id
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    # every clause is searchable, and the chunks come in reading order
    assert list(dict.fromkeys(c.clause_id for c in chunks)) == clause_ids


def test_no_text_lost_in_any_clause(any_doc: Document) -> None:
    chunks = chunk_document(any_doc)
    for clause in any_doc.clauses:
        if not clause.text.strip():
            continue
        parts = [c for c in chunks if c.clause_id == clause.id]
        assert [c.part for c in parts] == list(range(len(parts)))
        assert "".join(c.text for c in parts) == clause.text


def test_long_clause_is_split_into_windows_of_the_same_clause(seed_doc: Document) -> None:
    clause = seed_doc.clause("3.1")  # 着力实施分类推进, several hundred characters
    assert len(clause.text) > 2 * WINDOW_CHARS
    parts = [c for c in chunk_document(seed_doc) if c.clause_id == "3.1"]
    assert len(parts) >= 3
    assert {c.clause_id for c in parts} == {"3.1"}
    assert "".join(c.text for c in parts) == clause.text
    # windows break at sentence ends and stay near the limit
    for chunk in parts[:-1]:
        assert chunk.text[-1] in "。；;！!？?\n"
        assert len(chunk.text) <= WINDOW_CHARS


@pytest.mark.parametrize("limit", [15, 60, 500])
def test_any_window_size_keeps_every_character(seed_doc: Document, limit: int) -> None:
    chunks = chunk_document(seed_doc, limit=limit)
    for clause in seed_doc.clauses:
        if clause.text.strip():
            assert "".join(c.text for c in chunks if c.clause_id == clause.id) == clause.text


def test_heading_only_clause_gets_an_outline(seed_doc: Document) -> None:
    for clause_id in ("1", "3", "4"):  # 总体要求 / 重点工作 / 保障措施 have no text of their own
        clause = seed_doc.clause(clause_id)
        assert not clause.text.strip()
        (chunk,) = [c for c in chunk_document(seed_doc) if c.clause_id == clause_id]
        assert chunk.text.startswith(clause.heading)
        for child in seed_doc.children(clause_id):
            assert child.heading in chunk.text
    outline = next(c for c in chunk_document(seed_doc) if c.clause_id == "4")
    assert outline.text == "保障措施：强化组织领导"


def test_chunk_context_names_document_title_and_clause_path(any_doc: Document) -> None:
    for chunk in chunk_document(any_doc):
        clause = any_doc.clause(chunk.clause_id)
        assert any_doc.title in chunk.context
        assert clause.path in chunk.context
        # what gets embedded and tokenised: where the text sits, then the text
        assert chunk.search_text.startswith(chunk.context)
        assert chunk.search_text.endswith(chunk.text)


def test_context_of_a_sub_item_names_its_parent_heading(seed_doc: Document) -> None:
    chunk = next(c for c in chunk_document(seed_doc) if c.clause_id == "1.2.5")
    assert "基本原则" in chunk.context
    assert "坚持深化改革" in chunk.context


def test_editing_one_clause_changes_only_its_chunks(seed_text: str, seed_doc: Document) -> None:
    edited = parse_document(seed_text.replace("在建设用地审批中应保尽保", "在建设用地审批中优先保障"), SEED_NAME)
    before = {c.chunk_id: c.text_hash for c in chunk_document(seed_doc)}
    after = {c.chunk_id: c.text_hash for c in chunk_document(edited)}
    assert before.keys() == after.keys()
    changed = {cid for cid in before if before[cid] != after[cid]}
    assert changed == {f"{seed_doc.doc_id}#3.r2.3#0"}
    # parsing the same text twice gives the same chunks (stable cache keys)
    assert chunk_document(parse_document(seed_text, SEED_NAME)) == chunk_document(seed_doc)
