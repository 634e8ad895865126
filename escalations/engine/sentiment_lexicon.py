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
            r"(?:won'?t|will not|wouldn'?t|would not|never) (?:be )?(?:buying|ordering|using|"
            r"booking|shopping|renewing|doing business|dealing)(?: \w+){0,3} again",
            r"never (?:buying|ordering|using|booking|shopping|doing business|dealing|spending)"
            r" (?:with |from |on |any ?more (?:money )?(?:with )?)?(?:you|them|this|again)",
            r"(?:don'?t|do not) think i'?ll (?:be )?(?:spending|buying|ordering|using|booking)",
            r"(?:no|lost (?:all )?(?:my |our )?) ?(?:more )?(?:faith|trust|confidence) in",
            r"(?:just |have )?lost (?:a |another |some |many |two |all )?customers?",
            r"(?:switching|switched|switch) (?:providers|companies|vendors|brands|banks|carriers|"
            r"services)",
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
            r"plenty of other (?:companies|providers|options|vendors|\w+s)",
            r"(?:won'?t|will not|never) (?:be )?\w+ (?:with |from )?(?:you|u|them) (?:again|ever again)",
            r"(?:long time|while) before i (?:\w+ )?(?:recommend|buy|order|use|come back|return)",
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
            r"(?:from|with|to|at) (?:a |the )?competitors?",
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
            r"(?:kept|keeps?) (?:ringing|displaying|crashing|freezing|dropping|rebooting|restarting|"
            r"failing|timing out|logging me out|erroring|bouncing)",
            r"not (?:\w+ )?(?:working|loading|showing|updating|responding|connecting)",
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
            r"(?:no|without (?:a|any)) (?:responses?|repl(?:y|ies)|answers?|word|updates?|follow[- ]up|"
            r"callback|explanation|apology|resolution)",
            r"no (?:\w+ )?number to call",
            r"(?:non|un)responsive",
            r"busy signal",
            r"on hold for",
            r"(?:been |was |were |put |kept |left )?on hold (?:over |for over |more than |almost )?"
            r"(?:an? |\d+\+? ?|half an )(?:hours?|hrs?|min\w*)",
            r"hold times?",
            r"(?:hung|hang|hanging) up on",
            r"(?:been |still )?trying (?:to get through|to reach|to call|since|for (?:an? |\d+ )"
            r"(?:hours?|days?|weeks?))",
            r"(?:waiting|waited|wait(?:ing)? time|a wait|line|queue) (?:is |was )?(?:for |of )?"
            r"(?:over |more than |almost |nearly |about )?(?:an? |\d+\+? ?)(?:hours?|hrs?|min\w*)",
            r"(?:an? |\d+\+? ?)(?:hours?|hrs?|min\w*) (?:on hold|on the phone|in line|waiting)",
            r"(?:has|have|had)(?:n'?t| not) (?:yet )?(?:heard|received|gotten|got|responded|"
            r"replied|called|answered|arrived|shown up|been (?:updated|contacted|refunded|"
            r"credited|delivered))",
            r"(?:did not|didn'?t|never) (?:hear|receive|get) (?:back|anything|a (?:reply|response|"
            r"call|refund)|my (?:refund|money|credit|order|package|miles|points))",
            r"never got (?:anything|a call|an? (?:answer|email|reply|response|refund))",
            r"(?:no one|nobody) (?:is |was )?(?:answering|responding|there|around|helping|"
            r"wants to|called|even|answers|responds|replies|to (?:help|talk to|answer|assist))",
            r"(?:gone|go|went) (?:quiet|silent)",
            r"(?:it'?s|it has) been (?:a while|" + DURATION + r"|weeks|months|ages)",
            r"(?:and|already|been|it'?s been|now) (?:over )?" + DURATION + r"(?: and counting)?",
            r"and counting",
            r"(?:still|been) (?:sitting|stuck|stranded)",
            r"(?:still|been) (?:missing|lost)",
            r"(?:not|never) (?:been )?(?:updated|informed|notified|told)",
            r"(?:lack of|no) (?:communication|updates|information|info|help|support|service)",
            r"yet to (?:receive|hear|get|see)",
            r"(?:still|always) (?:says|said) (?:it is )?[\"']?about to",
            r"promised (?:it |me |us )?(?:would|to|[\"'])",
            r"(?:nobody|no one) (?:cares|can help|knows|wants)",
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
        key="disruption",
        reason="service failure",
        penalty=-0.6,
        negatable=True,
        patterns=(
            r"(?:was|been|got|gets|getting|is|are|were|keeps? (?:getting|being)|again|now|just)"
            r" (?:delayed|cancell?ed|postponed|lost|misplaced|damaged|overbooked|oversold|"
            r"bumped|voided|withheld|denied|rejected|declined)",
            r"(?:another|more|constant|multiple|repeated|endless|these|\d+ ?(?:hour|hr|"
            r"day|min\w*)s?) delays?",
            r"delays? (?:after|on|of|again|every)",
            r"delayed (?:again|more|by|for|over|\d)",
            r"so many (?:delays|problems|issues|mistakes|errors)",
            r"(?:you |they |u )?(?:lost|misplaced|broke|damaged|cancell?ed|ruined) (?:my|our|his|"
            r"her|their|the)",
            r"(?:my|our|the) (?:\w+ )?(?:is|was|are|were) (?:still )?(?:lost|missing|damaged|broken)",
            r"(?:missed|miss|missing|will miss) (?:my|our|the) (?:\w+ ){0,3}(?:connection|appointment|"
            r"meeting|conference|deadline|window|event|wedding|ride|interview|class|exam)",
            r"(?:left|leaving) (?:us|me) (?:stranded|stuck|in the)",
            r"(?:missing|lost) (?:bags?|items?|orders?|packages?|parcels?|deliver(?:y|ies)|money|"
            r"payments?|refunds?)",
            r"(?:extra|hidden|additional|ridiculous|outrageous|absurd|exorbitant|exhorbitant|"
            r"\$\d+) (?:fees?|charges?)",
            r"(?:refund|reimburse|compensate|credit) (?:me|us)",
            r"(?:expect|want|need|deserve|owe me|demand|where is|where'?s) (?:a |an |my |some |"
            r"full |partial )*(?:refund|reimbursement|compensation|credit|money)",
            r"(?:refunds?|reimbursements?|compensation) (?:still |has |have |was |were )?(?:not|never)",
            r"(?:give|send) (?:me )?my money",
        ),
    ),
    Cue(
        key="rhetorical",
        reason="rhetorical complaint",
        penalty=-0.5,
        negatable=False,
        patterns=(
            r"why (?:would|do|does|did|is|are|was|were|can'?t|couldn'?t|won'?t|wouldn'?t|isn'?t|"
            r"aren'?t|haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|should|must|bother|on earth)"
            r" (?:you|they|it|my|your|u|there|this|that|no one|nobody)",
            r"how (?:hard|difficult) (?:is|can) it",
            r"how (?:can|could|come|do|does|dare|is it|on earth) (?:you|u|they|a company|your|"
            r"no one|nobody|i not)",
            r"what(?:'?s| is) the point",
            r"what (?:is|'?s) (?:going on|happening|up) with",
            r"what happened to",
            r"is this how you (?:treat|handle|deal)",
            r"(?:why|how) is it so hard",
            r"(?:now what|so that'?s it|what gives|come on[.!?,]|really\?)",
            r"what'?s up with (?:that|this|the|your)",
            r"who (?:do|does|can|should) (?:i|we) (?:talk|speak|complain)",
            r"(?:speak|talk) (?:to|with) (?:a |an )?(?:real |live |actual )?(?:person|human|"
            r"supervisor|manager)",
            r"real (?:live )?person",
            r"(?:do|does) (?:you|anyone) (?:even )?(?:care|read|listen)",
            r"(?:stop|quit) (?:pretending|lying|cancell?ing|delaying|losing|charging)",
            r"get (?:your act|it) together",
            r"do (?:the right thing|better)",
            r"(?:you|u) (?:can|could|should|need to) do better",
        ),
    ),
    Cue(
        key="sarcasm",
        reason="sarcasm",
        penalty=-0.9,
        negatable=False,
        patterns=(
            r"(?:thanks|thank you|thx|thnx) (?:so much |a lot )?for (?:nothing|ruining|"
            r"the lack|losing|wasting|leaving|another|yet another|the (?:delay|wait|runaround|"
            r"run-around|rude|canned|hassle|headache|extra)|being (?:so )?(?:unhelpful|useless)|"
            r"at least)",
            r"gotta love",
            r"(?:great|nice|good|way to go|well done)[,.]? (?:job|work|going)? ?(?:on )?(?:not|"
            r"losing|breaking|ruining|delaying)",
            r"(?:not|never) (?:your|the) finest",
            r"(?:love|great|nice|wonderful|awesome) (?:how|that|when) (?:you|your|they|i have to|"
            r"i had to|there'?s no)",
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
            r"ridic",
            r"absurd",
            r"frustrat\w*",
            r"disappoint\w*",
            r"upset",
            r"unhappy",
            r"not (?:happy|impressed|pleased|good|ok|okay|acceptable|cool|fun|helpful|right|fair)",
            r"(?:less than|un)helpful",
            r"rude\w*",
            r"unprofessional",
            r"incompeten\w*",
            r"amateur\w*",
            r"clueless",
            r"no clue",
            r"(?:a |what a |is a |such a |biggest )joke",
            r"shambles",
            r"debacle",
            r"fiasco",
            r"(?:messed|screwed|mixed) (?:up|over)",
            r"screw(?:s|ed|ing)? (?:\w+ )?over",
            r"(?:lied|lying) to (?:me|us|customers|my)",
            r"liars?",
            r"(?:copy[- ](?:and[- ])?paste|canned|generic|automated|scripted) (?:response|reply|answer|"
            r"email|message)",
            r"(?:wasted|wasting|waste) (?:my|our|so much|a lot of|an?) ",
            r"sucks?",
            r"lame",
            r"appall\w*",
            r"atrocious",
            r"disgust\w*",
            r"despicable",
            r"shoddy",
            r"fail\w*",
            r"smh",
            r"ugh+",
            r"wtf",
            r"(?:are you|you'?re|you are) (?:kidding|joking|serious)",
            r"seriously\W*(?:\?|$)",
            r"unbelievable",
            r"unreal",
            r"lack of",
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
            r"(?:minor )?(?:nits?|quibbles?|critici?sm)",
            r"(?:some|minor|few|my only|one|serious) reservations?",
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
    "wish": 0.0,  # "i wish it had ..." is a complaint cue, not a positive word
    "cancel": 0.0,  # cancelling an order is a request; cancelling the account is a churn cue
    "po": 0.0,  # a purchase order ("the PO number"), not VADER's insult
}

NEGATORS = r"\b(?:not|no|never|nothing|none|without|hardly|n't|nt)\b|n't\b|\bw/o\b"
