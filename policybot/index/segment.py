"""jieba segmentation with the policy dictionary: tokens for BM25 and terms for highlights."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources

import jieba

log = logging.getLogger(__name__)

# a token worth indexing has at least one letter, digit or CJK character
WORD_RE = re.compile(r"[\w\u4e00-\u9fff]")
DICT_WORD_FREQ = 2000
TAGGED_CACHE_SIZE = 256
# a chunk's context (title, 文号, path, headings) repeats on every chunk of its clause and document: its pieces are
# cut once a build. Spaces and line breaks end jieba's blocks, so cutting piece by piece gives the same tokens.
PIECE_RE = re.compile(r"[ \n]+")
CACHED_PIECE_CHARS = 64  # longer pieces are body text, seldom repeated
PIECE_CACHE_SIZE = 65536


def _data_lines(name: str) -> list[str]:
    text = resources.files("policybot").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def segmenter_id(dictionary: Iterable[str], stopwords: Iterable[str]) -> str:
    """What decides the tokens: jieba's version, the policy dictionary and the stopwords (an index records it)."""
    digest = hashlib.sha256(f"jieba {jieba.__version__}\n".encode())
    for line in (*dictionary, "\0", *sorted(stopwords)):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


class Segmenter:
    """A jieba tokenizer of its own (no global state) that knows policy terms, units and titles."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        self._pos = None  # the POS tagger costs ~0.3 s to build: once, on first use
        self._tagged: dict[str, list[tuple[str, str]]] = {}
        self._pieces: dict[str, tuple[str, ...]] = {}
        self.stopwords = frozenset(_data_lines("stopwords.txt"))
        self.words: set[str] = set()
        dictionary = _data_lines("policy_dict.txt")
        self.id = segmenter_id(dictionary, self.stopwords)
        for line in dictionary:
            parts = line.split()
            self.add_words([parts[0]], int(parts[1]) if len(parts) > 1 else DICT_WORD_FREQ)
        self.add_words(extra_words)

    def add_words(self, words: Iterable[str], freq: int = DICT_WORD_FREQ) -> list[str]:
        """Teach the tokenizer whole terms (unit names, document titles) so they are never split; returns the new ones."""
        added = []
        for word in words:
            word = self.normalize(word).strip()
            if len(word) >= 2 and word not in self.words:
                self.words.add(word)
                self._tk.add_word(word, freq)
                added.append(word)
        if added:
            self._tagged.clear()  # cut with the words it now knows
            self._pieces.clear()
        return added

    def normalize(self, text: str) -> str:
        """The form text is cut in: NFKC, lower case."""
        return unicodedata.normalize("NFKC", text).lower()

    def cut(self, text: str) -> list[str]:
        """Accurate-mode words, normalised (NFKC, lower case), stopwords and punctuation dropped."""
        return self._keep(self._tk.cut(self.normalize(text), HMM=True))

    def pieces(self, text: str) -> list[str]:
        """The text cut into words exactly as written: every character kept, nothing normalised."""
        return list(self._tk.cut(text, HMM=True))

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens for BM25: whole terms plus their shorter parts."""
        return self._keep(self._tk.cut_for_search(self.normalize(text), HMM=True))

    def tokens_by_piece(self, text: str) -> list[str]:
        """tokens(text), cut piece by piece at spaces and line breaks, short pieces remembered (PIECE_RE)."""
        out: list[str] = []
        for piece in PIECE_RE.split(text):
            if len(piece) > CACHED_PIECE_CHARS:
                out += self.tokens(piece)
                continue
            cut = self._pieces.get(piece)
            if cut is None:
                if len(self._pieces) >= PIECE_CACHE_SIZE:
                    self._pieces.clear()
                cut = self._pieces[piece] = tuple(self.tokens(piece))
            out += cut
        return out

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """Accurate-mode words (normalised) with jieba's part-of-speech flags ('n' noun, 'v' verb, 'ns' place…)."""
        cached = self._tagged.get(text)
        if cached is None:
            if self._pos is None:
                self._pos = _pos_tagger(self._tk)
            cached = [(p.word, p.flag) for p in self._pos.cut(self.normalize(text))]
            if len(self._tagged) >= TAGGED_CACHE_SIZE:
                self._tagged.clear()  # a question is tagged a few times while it is answered, then rarely again
            self._tagged[text] = cached
        return list(cached)

    def in_dictionary(self, word: str) -> bool:
        """True for a word jieba's dictionary (or ours) holds, not one its HMM made up of a question's characters
        ("税能", "局管")."""
        return bool(self._tk.FREQ.get(self.normalize(word)))

    def places(self, text: str) -> list[str]:
        """Place names (jieba POS 'ns') mentioned in the text."""
        return [word for word, flag in self.tagged(text) if flag == "ns" and len(word) >= 2]

    def _keep(self, words: Iterable[str]) -> list[str]:
        return [w for w in (w.strip() for w in words) if w and WORD_RE.search(w) and w not in self.stopwords]


def _pos_tagger(tokenizer: jieba.Tokenizer):
    """jieba's POS tagger over our tokenizer, sharing the word-tag table `jieba.posseg` reads when imported.

    Built the documented way, POSTokenizer(tokenizer) reads jieba's whole dictionary a second time (0.5–1 s before
    the first answer); our tokenizer uses that same default dictionary, so the table jieba loaded is the one we need."""
    import jieba.posseg

    if tokenizer.dictionary != jieba.dt.dictionary:
        return jieba.posseg.POSTokenizer(tokenizer)
    tagger = object.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = jieba.posseg.dt.word_tag_tab
    return tagger


def highlight_terms(query_tokens: Iterable[str], text: str) -> list[str]:
    """The query tokens that occur in the text (longest first), for highlighting a hit."""
    norm = unicodedata.normalize("NFKC", text).lower()
    found = {t for t in query_tokens if len(t) >= 2 or re.match(r"[\u4e00-\u9fff]", t) is None}
    found = {t for t in found if t in norm}
    # drop a term that is only part of a longer matched term
    kept = [t for t in found if not any(t != o and t in o for o in found)]
    return sorted(kept, key=lambda t: (-len(t), t))
