"""Support-specific phrase lexicon for the sentiment scorer.

Each ``Cue`` is one category of evidence: a list of regular-expression fragments (written in lower
case and matched from a word start on the lower-cased message, curly apostrophes made straight), a penalty added to VADER's compound score when the cue is
present, and whether a negation just before the match ("not", "no", "never", "without", "n't")
cancels it. Fragments are plain data so that adding a phrase is a one-line change with a test.

``REWRITES`` turn support idioms that VADER reads the wrong way ("no problems", "can't recommend
it enough", "couldn't be easier") into plain words before anything is scored.
``LEXICON_OVERRIDES`` neutralise a few VADER words that mean something else in support text.
"""

from __future__ import annotations

from dataclasses import dataclass

# A number written as digits or a small word: "3 weeks", "three weeks".
NUMBER = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|several|many|a few|countless)"
NEGATED_VERB = (
    r"(?:doesn'?t|does not|didn'?t|did not|won'?t|will not|wouldn'?t|would'?t|would not|can'?t|cannot|"
    r"can not|couldn'?t|could not|isn'?t|is not|wasn'?t|was not|aren'?t|are not|never|still not)"
)
# Verbs whose failure is a malfunction report: "won't play", "does not show the picture".
FUNCTION_VERB = (
    r"(?:work|works|working|play|show|read|load|open|start|turn on|power on|boot|charge|connect|"
    r"sync|register|recognize|respond|let me|let you|print|install|update|upload|download|"
    r"log ?in|sign in|arrive|ship|get through|fit)"
)
DURATION = rf"{NUMBER} (?:more )?(?:hours?|days?|weeks?|months?)"
COMPETITOR_WORDS = (
    r"(?:(?:a |the )?competitors?|(?:another|a different|a new|some other|other|different) "
    r"(?:company|provider|vendor|brand|airline|bank|carrier|service|supplier|tool|platform))"
)


@dataclass(frozen=True)
class Cue:
    key: str
    reason: str
    penalty: float
    negatable: bool
    patterns: tuple[str, ...]


CUES: tuple[Cue, ...] = (
    Cue(
        key="churn",
        reason="churn threat",
        penalty=-0.9,
        negatable=False,
        patterns=(
            r"cancel(?:l?ing|l?ed)? (?:my|our|the|this) (?:account|subscription|plan|membership|"
            r"contract|service)",
            r"close (?:my|our) account",
            r"closing (?:my|our) account",
            r"charge ?backs?",
            r"dispute (?:the|this) charge",
            r"lawyers?",
            r"attorneys?",
            r"legal action",
            r"(?:sue|suing) (?:you|them)",
            r"small claims",
            r"better business bureau",
            r"report (?:you|this|them) to",
            r"never again",
            r"never (?:buy|order|use|fly|purchase|recommend) (?:from )?(?:you|them|another|"
            r"this|it|an?)\b",
            r"(?:won'?t|will not|wouldn'?t|would not|never) (?:be )?(?:inclined to )?"
            r"(?:buy|purchase|order|use|fly)(?: \w+){0,3} again",
            r"last time i (?:buy|order|use|fly|purchase)",
            r"take my business elsewhere",
            r"lost (?:a|my|our) (?:customer|business)",
            r"stay away",
            r"look elsewhere",
            r"(?:do not|don'?t|never) (?:buy|order|purchase)",
            r"(?:do not|don'?t) wast?e? your (?:money|time)",
            r"waste of (?:money|time)",
            r"want (?:a|my) (?:full )?refund",
            r"(?:demand|demanding|requesting) (?:a|my) (?:full )?refund",
            r"money back",
            r"(?:in|into) the trash",
            r"piece of (?:junk|crap|garbage)",
            r"keep your receipt",
            r"(?:return|returning|returned|send|sending|sent|take|took|taking|bring|brought)"
            r" (?:it|this|them|mine|the (?:\w+ ){0,2}\w+) back",
            r"(?:decided|going|want|have) to return",
            r"returning it",
            r"returned (?:it|to the store)",
            r"(?:back (?:at|to) the store|sent back|right back for)",
            r"(?:get|give|want|need|demand|request|asked for|ask for) (?:me |them |us |a |my |"
            r"full )*refunds?",
            r"buyer beware",
            r"beware",
            r"pass (?:this|it|this \w+) up",
            r"(?:will not|won'?t) be (?:ordering|buying|purchasing|renewing)",
            r"paperweight",
            r"find (?:another|a different|a better) (?:\w+ )?(?:phone|provider|company|vendor|"
            r"service|carrier|brand|product|one)",
            r"trade it (?:in )?for (?:a|an|another)",
            r"(?:i will|i'?ll|i'?m going to|will) avoid",
            r"(?:i'?d|i would|i will|i'?ll|going to) (?:leave|drop|ditch|dump)",
            r"you(?:'?ll| will) (?:be sorry|regret)",
            r"down the drain",
            r"thumbs down",
            r"(?:never|not|wouldn'?t|would not|can'?t|cannot|won'?t) recommend",
            r"thanks for nothing",
            r"you get what you pay for",
            r"(?:not|isn'?t|wasn'?t|aren'?t) worth (?:it|the)",
        ),
    ),
    Cue(
        key="competitor",
        reason="competitor switch",
        penalty=-0.9,
        negatable=False,
        patterns=(
            r"switch(?:ing|ed)? (?:over )?to [\w.&'-]+",
            r"(?:moving|move|going|go|went|changing|change) (?:over )?(?:to|with) "
            + COMPETITOR_WORDS,
            r"(?:buy|get|try|use) " + COMPETITOR_WORDS,
            r"(?:buy|get|spend the extra [^.]{0,12}(?:and|to) buy) (?:a )?(?:cheaper|name brand)",
        ),
    ),
    Cue(
        key="malfunction",
        reason="malfunction",
        penalty=-0.65,
        negatable=False,
        patterns=(
            NEGATED_VERB + r" (?:\w+ )?" + FUNCTION_VERB,
            r"(?:quit|stopped|stops|stop|quits) (?:working|playing|charging|responding)",
            r"no longer (?:works?|working|recognizes|plays|charges|turns on|responds|loads)",
            r"(?:refuses|refused|refuse) to",
            r"(?:only )?(?:worked|lasted) (?:for )?(?:about |only |just )?"
            + NUMBER
            + r" (?:hours?|days?|weeks?|months?)",
            r"(?:break|broke|died|stopped working) (?:within|after|again)",
            r"(?:neither|none) (?:one )?of (?:them|these|those) (?:\w+ )?work",
            r"unable to",
            r"(?:wasn'?t|isn'?t) going to work",
            r"(?:can'?t|couldn'?t|could not|cannot) (?:make|get) it (?:to )?work",
            r"(?:won'?t|will not|wouldn'?t|doesn'?t|didn'?t|did not|does not) do (?:it|anything|that)",
            r"(?:won'?t|will not|wouldn'?t|don'?t|didn'?t|never) (?:answer|pick up|call back|reply)",
            r"(?:website|site|server|system|app|service|network) (?:is|was|went) down",
            r"inoperable",
            r"lock(?:s|ed)? up",
            r"stoppp?ed playing",
            r"never (?:sent|shipped|delivered)",
            r"to no avail",
            r"defectively",
            r"(?:had|have|has|having) the same (?:problem|issue|experience)",
            r"lasted less than",
            r"only (?:owned|had|used) it (?:for )?(?:about |around )?" + NUMBER,
            r"kept (?:ringing|displaying|crashing|freezing|dropping|rebooting|restarting|failing)",
            r"shut(?:s|ting)? down",
            r"(?:went|goes) (?:out|dead)",
            r"(?:no|lost) (?:picture|sound|signal|video|audio|power|connection|service)",
            r"charged (?:me )?(?:twice|double|two times)",
            r"double[- ]charged",
            r"(?:wrong|missing|damaged) (?:items?|package|parts?|products?|delivery|shipment)",
        ),
    ),
    Cue(
        key="breakdown",
        reason="malfunction",
        penalty=-0.65,
        negatable=True,
        patterns=(
            r"(?:died|dies|broke|broken|breaks|defective|faulty|malfunction\w*|crash(?:es|ed)?|"
            r"freez(?:e|es|ing)|froze|stuck|fail(?:s|ed|ure)?|glitch\w*|error messages?)",
        ),
    ),
    Cue(
        key="waiting",
        reason="factual complaint",
        penalty=-0.75,
        negatable=False,
        patterns=(
            r"still (?:waiting|not (?:fixed|resolved|working|here|received|arrived)|no |"
            r"haven'?t|hasn'?t|doesn'?t|don'?t|isn'?t|can'?t|broken)",
            DURATION + r"(?: later)?[,.;: -]+(?:and )?(?:still )?(?:no|nothing|not a)(?: \w+)?",
            r"(?:waiting|waited|been waiting) (?:for )?(?:over |more than |almost )?" + DURATION,
            r"no (?:one|body) (?:has |have )?(?:replied|responded|answered|called|got back|"
            r"gotten back|helped|bothered)",
            r"never (?:heard back|got back|replied|responded|answered|called back|arrived|"
            r"received)",
            r"(?:no|without (?:a|any)) (?:response|reply|answer|word|update|follow[- ]up|callback)",
            r"(?:non|un)responsive",
            r"busy signal",
            r"on hold for",
            r"yet to (?:receive|hear|get|see)",
            r"(?:still|always) (?:says|said) (?:it is )?[\"']?about to",
            r"promised (?:it |me |us )?(?:would|to|[\"'])",
            r"(?:nobody|no one) (?:cares|can help|knows)",
            r"spent (?:half an hour|an hour|hours|all day|" + DURATION + r"|countless hours)",
            r"(?:hours|minutes) on the phone",
            r"(?:being |was |got )?transferred from one",
            r"(?:business )?days later",
            r"still (?:hadn'?t|trying to)",
            r"took (?:over |more than |almost |nearly )?" + DURATION,
            r"repeated (?:follow-?ups?|calls|emails|requests|attempts)",
            r"no way to (?:contact|reach|talk|speak|get)",
            r"(?:hassle|impossible) to (?:get through|reach|contact)",
        ),
    ),
    Cue(
        key="repeat",
        reason="repeated contact",
        penalty=-0.75,
        negatable=False,
        patterns=(
            r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) (?:time|email|call|message|"
            r"ticket|request)",
            r"(?:called|emailed|e-mailed|wrote|written|contacted|asked|phoned|messaged|tried "
            r"calling)(?: \w+){0,4} (?:twice|again|three times|several times|multiple times|"
            r"many times|\d+ times|countless times|numerous times|every day|daily|for a week)",
            r"(?:numerous|a dozen|dozens of|\d+) times",
            r"(?:countless|several|many|multiple) (?:hours|calls|emails|e-mails|tickets|times)"
            r"(?: \w+){0,3} (?:on the phone|with|to|calling)",
            r"keep (?:calling|asking|writing|emailing|getting)",
            r"yet again",
            r"how many (?:times|more times)",
            r"i (?:already|have already|'ve already) (?:told|explained|sent|asked|called)",
        ),
    ),
    Cue(
        key="complaint",
        reason="complaint wording",
        penalty=-0.45,
        negatable=True,
        patterns=(
            r"(?:design )?flaws?",
            r"drawbacks?",
            r"downsides?",
            r"cons\s*:",
            r"complaints?",
            r"beef",
            r"gripes?",
            r"annoy\w*",
            r"inconvenien\w*",
            r"inconveinent",
            r"cumbersome",
            r"tedious",
            r"complicated",
            r"illogical",
            r"quirky",
            r"flimsy",
            r"junk",
            r"garbage",
            r"nightmare",
            r"rip-?off",
            r"overpriced",
            r"unacceptable",
            r"ridiculous",
            r"no excuse",
            r"what kind of (?:a )?(?:company|product|service)",
            r"too (?:small|big|large|slow|expensive|heavy|short|long|quiet|loud|faded|dim|hard|"
            r"difficult|complicated|fragile|easily|much|little|many|few)",
            r"falls short",
            r"not as (?:\w+ ){0,2}as",
            r"isn'?t as \w+ as",
            r"(?:would|could) have been (?:much |a lot |far )?(?:better|nicer|easier)",
            r"would have liked",
            r"should (?:have|be|not)",
            r"i wish",
            r"if only",
            r"(?:lacks?|lacking|missing)",
            r"not (?:documented|backlit|compatible|included|supported)",
            r"(?:has|had) (?:a |some )?(?:problems?|issues?)",
            r"hazard",
            r"(?:ruin|ruins|ruined)",
            r"worst",
            r"(?:minor )?(?:nits?|quibbles?|reservations?|critici?sm)",
            r"poorly",
            r"(?:feels?|looks?|felt) (?:\w+ )?cheap",
            r"cheaply",
            r"(?:a|real) pain",
            r"hassles?",
            r"useless",
            r"mistake",
            r"darn",
            r"stinks?",
            r"fed up",
            r"unlucky",
            r"hurts?",
            r"(?:does not|doesn'?t|did not|didn'?t) (?:have|include|come with|support|give|do)"
            r" (?:a |an |any |enough)",
            r"has none",
            r"hard to (?:figure|hear|use|read|see|turn|find|navigate|understand|get|reach)",
            r"impossible",
            r"time-?consuming",
            r"not (?:crazy about|top|up to|on par)",
            r"(?:wasn'?t|wan'?t|isn'?t|not) up to",
            r"(?:took|takes|take) (?:some )?getting used to",
            r"non-?existent",
            r"chee?sy",
            r"crap\w*",
            r"worse",
            r"harder",
            r"second rate",
            r"marked up",
            r"(?:can'?t|cannot|can not|couldn'?t|could not|unable to) (?:\w+ )?(?:see|hear|find|"
            r"store|manage|navigate|change|delete|search|understand|figure|use|access|read|reach)",
            r"(?:would|much) (?:\w+ )?(?:have )?preferred",
            r"(?:didn'?t|don'?t|do not|did not|will not|won'?t|wouldn'?t) like",
            r"not sure how long",
            r"(?:would|will) be nice",
            r"(?:would|could) have been great",
            r"i'?d prefer",
            r"could (?:do|be) (?:\w+ )?better",
            r"(?:should|could) (?:feel|be|have been) (?:a bit |a little |much )?(?:more|better)",
        ),
    ),
)

# Idioms VADER reads the wrong way, rewritten before scoring (pattern, replacement).
REWRITES: tuple[tuple[str, str], ...] = (
    (
        r"(?:have not|haven'?t|never|did not|didn'?t|not) (?:had|have|having|seen|experienced) "
        r"(?:a single |any |one |a )?(?:problems?|issues?|trouble)",
        "works fine",
    ),
    (r"no (?:problems?|issues?|trouble|complaints?)", "fine"),
    (r"not a (?:problem|issue)", "fine"),
    (r"without (?:a |any )?(?:problems?|issues?|trouble)", "smoothly"),
    (
        r"(?:can'?t|cannot|can not|couldn'?t) (?:recommend|praise|say enough)[^.!?]{0,30}enough",
        "highly recommend",
    ),
    (r"(?:can'?t|cannot|can not) say enough good", "highly recommend"),
    (r"(?:doesn'?t|does not|don'?t|do not|can'?t|couldn'?t) get (?:any )?better", "is excellent"),
    (r"couldn'?t be (?:easier|happier|better|simpler)", "is excellent"),
    (r"(?:hard|tough) to beat", "excellent"),
    (r"(?:would not|wouldn'?t) hesitate", "would gladly"),
    (r"no more (?:hassles?|hazzles?|headaches?|waiting)", "easier"),
    (r"(?:not|never) (?:unhappy|disappointed|dissatisfied)", "satisfied"),
    (r"(?:solved|fixed|resolved) (?:the|our|my|this|that) (?:problem|issue)", "fixed it"),
    (r"(?:drag|dragging|dragged) (?:and|&amp;|&|n) (?:drop|dropping|dropped)", "move"),
    (r"(?:a|was a|is a) steal", "a bargain"),
    (r"no need", "fine"),
    (r"by mistake", "accidentally"),
    (
        r"(?:hasn'?t|haven'?t|has not|have not) been (?:any )?(?:more )?(?:problems?|issues?)",
        "works fine",
    ),
    (r"(?:nothing|very little|little) (?:\w+ ){0,3}to (?:criticize|complain about)", "good"),
    (r"(?:minimal|little|no|without) difficulty", "easily"),
    (
        r"(?:problem|issue|static|noise|error)s? (?:vanished|disappeared|went away|is gone|"
        r"was gone|cleared up)",
        "fixed",
    ),
    (
        r"(?:eliminates?|avoids?|prevents?) (?:the|this|that|a|any) (?:minor )?(?:problems?|issues?)",
        "helps",
    ),
)

# VADER lexicon words that are not negative in support text.
LEXICON_OVERRIDES: dict[str, float] = {
    "charged": 0.0,  # "fully charged"; double charging is a malfunction cue
    "drag": 0.0,
    "cut": 0.0,
    "limit": 0.0,
    "limited": 0.0,
    "stolen": -0.5,
    "no": 0.0,  # "no difference", "no more than"; "no response" is a factual-complaint cue
    "shoot": 0.0,  # "shoot me an email", "point and shoot"
    "lying": 0.0,  # "lying on the desk"
    "alone": 0.0,
    "wish": 0.0,
    "cancel": 0.0,  # cancelling an order is a request; cancelling the account is a churn cue  # "i wish it had ..." is a complaint cue, not a positive word
}

NEGATORS = r"\b(?:not|no|never|nothing|none|without|hardly|n't|nt)\b|n't\b"
