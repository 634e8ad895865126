"""Which language a customer message is written in, offline and in linear time.

A stop-word vote: the words of the message are looked up in a short list of the most frequent
function words of each language in ``STOP_WORDS`` (words shared by two of the lists count for
neither, and no list holds a common English word such as "a", "as", "no" or "come"). The language with the most hits wins when it has at least ``MIN_HITS`` of them and
leads the runner-up by ``MIN_LEAD``; otherwise the message is taken to be in ``DEFAULT_LANGUAGE``
(short messages such as "ok" or "12345" carry no evidence). Measured on the benchmark sets in
``bench/sentiment_eval.py`` (English sets read as English, German support messages as German).
"""

from __future__ import annotations

import re
from collections import Counter

DEFAULT_LANGUAGE = "en"
MIN_HITS = 2
MIN_LEAD = 2
# Only this many leading characters are read: enough words to decide, bounded for any body.
MAX_CHARS = 1_000


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was were you your my have has had this that with for not of to it "
        "be but what can could would will please thanks thank from they them there which "
        "been about when how why do does did just still"
    ),
    "de": _words(
        "der die das und ist sind nicht ich mein meine meinen ein eine einen mit für auf "
        "bitte danke wie warum noch schon aber auch sie wir ihr uns es zu von dem den des "
        "wurde wird habe haben hat kann können keine kein bei nach oder wenn mir mich "
        # Frequent in short support messages ("Gibt es schon etwas Neues?", "Vielen Dank!").
        "gibt etwas alles nichts jetzt immer sehr vielen dank dass über unser unsere unseren "
        "ihnen ihre ihren sich einer eines leider bereits seit zum zur vom beim gern gerne "
        "dann doch nur hier wann welche diese dieser dieses diesem"
    ),
    "fr": _words(
        "le la les et est sont pas je mon ma mes un une avec pour sur merci comment pourquoi "
        "encore déjà mais aussi vous nous il elle ce cette du des au aux été suis avez peut "
        "ne rien toujours votre"
    ),
    "es": _words(
        "el la los las y es son yo mi mis un una con para por gracias cómo como qué "
        "todavía ya pero también usted ustedes nosotros del al fue han puede pedido "
        "favor está estoy"
    ),
    "nl": _words(
        "de het een en is zijn niet ik mijn met voor op bedankt hoe waarom nog al maar ook "
        "jullie wij u dat deze van aan wordt heb hebben kan geen bij naar of als"
    ),
    "it": _words(
        "il lo la gli le e è sono non io mio mia un una con per su grazie perché ancora "
        "già ma anche voi noi del della che questo questa ho hanno può nessun"
    ),
    "pt": _words(
        "e é são não eu meu minha um uma com para por obrigado obrigada como porque "
        "ainda já mas também você vocês nós do da dos das foi tem pode pedido está estou"
    ),
}
_SHARED = frozenset(
    word
    for language, words in STOP_WORDS.items()
    for word in words
    if any(word in other for key, other in STOP_WORDS.items() if key != language)
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def language_detect(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in (``DEFAULT_LANGUAGE`` if unsure)."""
    votes: Counter[str] = Counter()
    for word in _WORD_RE.findall(text[:MAX_CHARS].lower()):
        if word in _SHARED:
            continue
        for language, words in STOP_WORDS.items():
            if word in words:
                votes[language] += 1
    ranked = votes.most_common(2)
    if not ranked or ranked[0][1] < MIN_HITS:
        return DEFAULT_LANGUAGE
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if ranked[0][1] - runner_up < MIN_LEAD:
        return DEFAULT_LANGUAGE
    return ranked[0][0]
