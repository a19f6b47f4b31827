"""The structure of a sentence, read without a tagger: which words are function words, where a clause starts, what
a preposition governs, whether a word is used as a noun or a verb, and which clause shares the sentence's subject.

Every question here is about word positions (and, for a few, which phrases the lexicon found there: a person, a
figure of speech), never about what a phrase sounds like; reading.py asks them to decide which sound is meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .meaning import is_plural_noun, may_be_a_verb, may_be_an_adjective

if TYPE_CHECKING:
    from .marks import Mark

PREPOSITIONS = (
    "over", "on", "onto", "in", "into", "from", "at", "of", "under", "behind", "against", "across", "by", "with",
    "through", "to", "toward", "towards", "beside", "above", "below", "beyond", "along", "off", "near", "inside",
    "among", "amongst", "amid", "amidst", "between", "beneath", "underneath", "upon", "within", "around",
)  # fmt: skip
PRONOUNS = ("it", "its", "they", "their", "them")
CLAUSE_BREAKS = (
    ",",
    ":",
    "and",
    "but",
    "then",
    "while",
    "as",
    "who",
    "which",
    "that",
    "until",
)  # a new subject may follow
VERB_BEFORE = ("to", "he", "she", "they", "it", "we", "i", "you", "who", "which", "that")  # "it hisses", "to hum"
ARTICLES = ("a", "an", "the", "his", "her", "its", "their", "my", "our", "your", "this", "that")
QUANTIFIERS = ("some", "several", "many", "few", "two", "three", "four", "both", "all", "these", "those", "no")
NOT_NOUNS = (
    *ARTICLES, "it", "he", "she", "they",
    "again", "once", "twice", "somewhere", "overhead", "outside", "inside", "below", "above", "nearby", "behind",
    "downstairs", "upstairs", "away", "past", "down", "up", "out", "back", "around", "too", "now", "still", "open",
    "shut", "closed", "loud", "hard", "close", "far", "home", "here", "there", "everywhere", "ahead", "forward",
    "off", "in", "aside", "apart", "together", "alone", "on", "then", "so", "softly", "distant", "nearer", "closer",
    "shrill", "low", "high", "deep", "sharp", "dull", "faint",
)  # fmt: skip
OTHER_FUNCTION_WORDS = (
    "when", "where", "once", "meanwhile", "somewhere", "nowhere", "later", "before", "after", "if", "because",
    "though", "although", "yet", "just", "only", "even", "also", "what", "nothing", "everything", "something",
    "anything", "ok",
)  # fmt: skip
FUNCTION_WORDS = frozenset(
    (*ARTICLES, *PREPOSITIONS, *CLAUSE_BREAKS, *PRONOUNS, *NOT_NOUNS, *VERB_BEFORE, *QUANTIFIERS, *OTHER_FUNCTION_WORDS)
)
OBJECT_PRONOUNS = ("it", "them", "him", "her", "me", "us")
KEEPS = ("keep", "keeps", "kept", "keeping", "continue", "continues", "continued", "continuing")
GOES_ON = ("go", "goes", "went", "going", "carry", "carries", "carried", "carrying", *KEEPS)


def word_before(words: list[str], mark: Mark) -> str:
    """The word right before `mark`, "" at the sentence's start."""
    return words[mark.first - 1] if mark.first > 0 else ""


def word_after(words: list[str], mark: Mark) -> str:
    """The word right after `mark`, "" at the sentence's end."""
    return words[mark.last + 1] if mark.last + 1 < len(words) else ""


def words_before(words: list[str], at: int, n: int) -> list[str]:
    """The (up to) `n` words right before word `at`."""
    return words[max(0, at - n) : at]


def after_the_last_break(run: list[str]) -> int:
    """Where the last clause in a run of words starts: after its last comma or conjunction (0 when it has none)."""
    return max((i + 1 for i, w in enumerate(run) if w in CLAUSE_BREAKS), default=0)


def clause_start(words: list[str], mark: Mark) -> int:
    """The first word of the clause `mark` is in (after the last comma or conjunction before it)."""
    return after_the_last_break(words[: mark.first])


def preposition_leads(words: list[str], at: int, reach: int) -> bool:
    """Whether a preposition stands in the `reach` words before word `at`, in its clause."""
    lead = words_before(words, at, reach)
    return any(w in PREPOSITIONS for w in lead[after_the_last_break(lead) :])


def in_a_phrase(words: list[str], mark: Mark) -> bool:
    """Whether a source is the object of a preposition ("over the door", "from her hood"), in its own clause
    ("carries the dog in, his wellies squeaking": "in" ends the clause before)."""
    return preposition_leads(words, mark.first, 3)


def after_an_article(words: list[str], mark: Mark) -> bool:
    return mark.first > 0 and words[mark.first - 1] in ARTICLES


def named_as_a_noun(words: list[str], mark: Mark) -> bool:
    """ "a thud", "with a crash", "the clang": the sound word names the sound, not what something does."""
    return mark.first > 0 and words[mark.first - 1] in ("a", "an", "the") and mark.last == mark.first


def used_as_a_noun(words: list[str], at: int) -> bool:
    """Whether a word WordNet knows as a noun is used as one here, by the word's form and the word before it:
    not a participle ("scattering"), an adjective ("calm", "main") or a verb with its subject before it ("the
    sea billows", "Dev watches"); "-s" after an article, a quantifier or at the start is a plural noun ("two
    tugs", "Tugs nudge the tanker")."""
    word = words[at]
    if word.endswith("ing") or may_be_an_adjective(word):
        return False
    if not (word.endswith("s") and may_be_a_verb(word)):
        return True
    return at == 0 or words[at - 1] in ARTICLES or words[at - 1] in QUANTIFIERS


def used_as_a_verb(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """A word that is a sound as a noun ("the wind", "thunder") inflected as a verb with a person's subject or an
    object: its other, silent sense ("Dot fits the windlass and winds", "winds the paddle down", "hails a cab"); with
    a person going somewhere it may still be their feet ("thunders down the stairs", a stride)."""
    word = words[mark.last]
    if not word.endswith(("s", "ed", "ing")) or not may_be_a_verb(word) or after_an_article(words, mark):
        return False
    before, after = word_before(words, mark), word_after(words, mark)
    by_a_person = any(m.is_person and m.last == mark.first - 1 for m in marks)
    return by_a_person or before in ("and", "then") or after in ARTICLES or after in OBJECT_PRONOUNS


def shares_the_subject(words: list[str], mark: Mark) -> bool:
    """A participle after a comma (", beeping") or a verb straight after "and" or a comma ("slips, hits the table
    and breaks") has the sentence's subject."""
    return word_before(words, mark) in (",", "and") and (words[mark.first].endswith("ing") or mark.first > 1)


def in_a_verb_phrase_after_and(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """A sound in a clause after "and" that opens with its verb ("coughs and settles into a chug"): no subject of its
    own, so the sentence's."""
    start = clause_start(words, mark)
    if start < 2 or words[start - 1] != "and" or start == mark.first or words[start] in FUNCTION_WORDS:
        return False
    if any(start <= m.first < mark.first for m in marks):
        return False
    return not is_plural_noun(words[start]) or words[start + 1] in PREPOSITIONS  # "and gulls wheel": a subject


def of_a_feeling(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """ "a bark of relief", "a yelp of pain": a voice's sound of a feeling is a person's, not an effect."""
    if word_after(words, mark) != "of":
        return False
    return any(m.has("figurative") and 0 < m.first - mark.last - 1 <= 2 for m in marks)


def goes_on(words: list[str], mark: Mark) -> bool:
    """ "keeps on ringing", "keeps ringing", "goes on chiming", "continues to buzz": the sound before it lasts; it is
    not heard anew."""
    lead = words_before(words, mark.first, 2)
    if not lead:
        return False
    if lead[-1] in KEEPS:
        return True
    return len(lead) == 2 and ((lead[1] == "on" and lead[0] in GOES_ON) or (lead[1] == "to" and lead[0] in KEEPS))
