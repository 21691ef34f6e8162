"""The demo's courses: two real courses, a pathway and live sessions, loaded idempotently.

The teaching text is written for the demo by the team, in plain English for a UK audience,
and kept accurate: figures and guidance come from NICE, the NHS website, MBRRACE-UK, the
Early Years Foundation Stage and the Center on the Developing Child at Harvard. It is a
demonstration, not accredited training.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from imh_courses.models import (
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LiveSession,
    ModulePage,
    Pathway,
    PathwayCourse,
)
from imh_courses.services.learning import enrolment_create, lesson_complete
from imh_courses.services.sessions import session_save

UK = ZoneInfo("Europe/London")


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def _ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _heading(text: str, level: str = "h2") -> tuple[str, dict]:
    return ("heading", {"text": text, "level": level})


def _text(html: str) -> tuple[str, str]:
    return ("text", html)


def _inset(html: str) -> tuple[str, dict]:
    return ("inset_text", {"body": html})


def _details(title: str, html: str) -> tuple[str, dict]:
    return ("details", {"title": title, "body": [("richtext", html)]})


def _key_points(*points: str) -> tuple[str, dict]:
    return ("key_points", {"heading": "Key points", "points": list(points)})


def _reflection(prompt: str, guidance: str = "") -> tuple[str, dict]:
    return ("reflection", {"prompt": prompt, "guidance": guidance})


def _do(*items: str) -> tuple[str, dict]:
    return ("do_list", {"heading_level": 3, "label": "", "do": [_p(item) for item in items]})


def _dont(*items: str) -> tuple[str, dict]:
    return ("dont_list", {"heading_level": 3, "label": "", "dont": [_p(item) for item in items]})


def _warning(title: str, html: str) -> tuple[str, dict]:
    return ("warning_callout", {"title": title, "heading_level": 3, "body": html})


def _care_card(kind: str, title: str, html: str) -> tuple[str, dict]:
    return (
        "care_card",
        {"type": kind, "heading_level": 3, "title": title, "body": [("richtext", html)]},
    )


def _sensitive(heading: str, message: str, signposting: str) -> tuple[str, dict]:
    return (
        "sensitive_content",
        {"heading": heading, "message": message, "signposting": signposting},
    )


# Support for people taking the courses: several lessons discuss distressing experiences.
_SUPPORT_FOR_YOU = _p(
    "If this brings up difficult feelings, talk to your supervisor, a colleague you trust or "
    "your employee assistance programme. You can call Samaritans free, day or night, on "
    "<b>116 123</b>. If you are worried about your own safety right now, call <b>999</b>."
)


@dataclass(frozen=True)
class LessonSpec:
    title: str
    slug: str
    minutes: int
    body: list
    required: bool = True


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    slug: str
    summary: str
    lessons: list[LessonSpec]


@dataclass(frozen=True)
class SessionSpec:
    kind: str
    title: str
    description: str
    days_ahead: int
    capacity: int
    venue: str = ""
    joining_url: str = ""


@dataclass(frozen=True)
class CourseSpec:
    title: str
    slug: str
    fields: dict
    modules: list[ModuleSpec]
    sessions: list[SessionSpec] = field(default_factory=list)


# Course 1: midwives.

WHAT_IS_IMH = LessonSpec(
    "What is infant mental health?",
    "what-is-infant-mental-health",
    15,
    [
        _text(
            _p(
                "Infant mental health is about how babies and very young children feel, "
                "manage their feelings and form relationships. It does not mean diagnosing "
                "babies with mental illness. It describes a young child's growing ability "
                "to experience, manage and express emotions, to form close and secure "
                "relationships, and to explore and learn, always within their family, "
                "community and culture.",
                "Babies cannot do any of this on their own. They rely on the adults who care "
                "for them to notice how they feel and to help. This is why infant mental "
                "health is always about relationships: the baby's wellbeing and the "
                "parent's wellbeing are bound up together.",
            )
        ),
        _heading("The first 1001 days"),
        _text(
            _p(
                "The 1001 days from pregnancy to a child's second birthday are a time of "
                "very fast development. What happens in these days, good and bad, lays "
                "foundations for a child's later physical and mental health, learning and "
                "relationships. The UK government's review <i>The best start for life: a "
                "vision for the 1,001 critical days</i> (2021) put this period at the centre "
                "of policy for families in England.",
                "Foundations are not destiny. Children are resilient and development "
                "continues throughout life. But support given early, when parents are "
                "forming their relationship with their baby, is some of the most effective "
                "support there is.",
            )
        ),
        _inset(
            _p(
                "Midwives meet almost every family during pregnancy and the first days after "
                "birth. That makes midwifery a universal service for infant mental health: "
                "you do not need to be a specialist to make a difference."
            )
        ),
        _details(
            "What does 'level 1' mean?",
            _p(
                "Infant mental health competency frameworks describe three levels of "
                "practice. Level 1 is for everyone who works with babies and their families; "
                "level 2 is for practitioners who give targeted support; level 3 is for "
                "specialists. This course is level 1."
            ),
        ),
        _key_points(
            "Infant mental health is about feelings and relationships, not diagnosis.",
            "Babies depend on adults to help them manage their feelings.",
            "The 1001 days from pregnancy to age two lay important foundations.",
            "Every midwife contact is a chance to support the parent\u2013baby relationship.",
        ),
        _reflection(
            "Think about a family you cared for recently. What did you notice about how the "
            "parents and baby were getting to know each other?",
            "You might think about touch, eye contact, how they spoke to or about the baby, "
            "and how confident they seemed.",
        ),
    ],
)

DEVELOPING_BRAIN = LessonSpec(
    "The developing brain",
    "the-developing-brain",
    20,
    [
        _text(
            _p(
                "At birth a baby's brain is about a quarter of its adult size. By the age of "
                "two it has grown to around 80%. Researchers at the Center on the Developing "
                "Child at Harvard estimate that in the first years of life more than a "
                "million new connections between brain cells form every second.",
                "Which connections last depends on experience. Connections that are used "
                "often grow stronger; those that are not used are pruned away. A baby whose "
                "cries are answered, who is talked to and played with, builds strong "
                "pathways for communication, trust and calming down.",
            )
        ),
        _heading("Stress and the developing brain"),
        _text(
            _p(
                "Some stress is a normal part of life, and babies learn to cope with it "
                "with help. Researchers describe three kinds of stress response:"
            )
            + _ul(
                "<b>Positive stress</b>: short and mild, such as an injection or a new "
                "face, soothed by a caring adult.",
                "<b>Tolerable stress</b>: more serious, such as a family bereavement, "
                "buffered by supportive relationships.",
                "<b>Toxic stress</b>: strong, frequent or long-lasting adversity, such as "
                "neglect or living with violence, without an adult who protects and "
                "soothes. This can change how the developing brain and body respond to "
                "stress.",
            )
            + _p(
                "The difference between tolerable and toxic stress is usually a "
                "relationship: an adult who helps the baby feel safe again."
            )
        ),
        _heading("In pregnancy"),
        _text(
            _p(
                "Development begins before birth. High, long-lasting stress, anxiety or "
                "depression in pregnancy are linked with differences in babies' later "
                "development. Most babies of anxious or low parents develop well, and "
                "support in pregnancy helps. Asking about how a parent is feeling, not only "
                "about the pregnancy, is part of caring for the baby."
            )
        ),
        _key_points(
            "The brain grows faster in the first two years than at any other time.",
            "Experience shapes which connections in the brain grow strong.",
            "A caring adult turns stress a baby cannot manage into stress they can.",
            "Supporting a parent's wellbeing in pregnancy supports the baby too.",
        ),
    ],
)

SERVE_AND_RETURN = LessonSpec(
    "Attunement and serve and return",
    "attunement-and-serve-and-return",
    20,
    [
        _text(
            _p(
                "Newborns are ready to communicate. They recognise their mother's voice, "
                "heard in the womb, and prefer to look at faces. They tell us what they "
                "need through sounds, movements, facial expressions and crying.",
                "<b>Serve and return</b> describes the back-and-forth between a baby and "
                "the adults around them. The baby 'serves' with a look, a sound or a "
                "gesture; the adult 'returns' it by looking back, smiling, copying the sound "
                "or putting words to what they see. <b>Attunement</b> is the adult's side: "
                "noticing the baby's signals and responding in a way that fits.",
            )
        ),
        _heading("Reading a baby's cues"),
        _details(
            "Signs a baby is ready to engage",
            _ul(
                "Looking at your face, eyes bright and wide",
                "Smooth movements of arms and legs, relaxed hands",
                "Reaching towards you, cooing or making sounds",
                "Turning towards your voice",
            ),
        ),
        _details(
            "Signs a baby needs a break",
            _ul(
                "Looking away or turning their head",
                "Yawning, hiccups or sneezing",
                "Arching their back or pushing away",
                "Splayed fingers, frowning, fussing or crying",
            ),
        ),
        _heading("Nobody is in tune all the time"),
        _text(
            _p(
                "In the 1970s Dr Edward Tronick's 'still face' studies showed how quickly "
                "babies become distressed when a parent's face stops responding, and how "
                "quickly they recover when the parent reconnects. Later work found that "
                "even loving parents and their babies are often out of step. What matters "
                "is <b>repair</b>: noticing that something has gone wrong and putting it "
                "right. Babies whose parents repair learn that difficult feelings can be "
                "survived and shared."
            )
        ),
        _heading("What midwives can do"),
        _do(
            "Support skin-to-skin contact straight after birth, for as long as the mother "
            "wishes, as the UNICEF UK Baby Friendly Initiative recommends.",
            "Point out what the baby is doing: 'Look, she's turning to your voice.'",
            "Ask parents what they think their baby is feeling or telling them.",
            "Encourage responsive feeding: feeding in response to the baby's cues, and for "
            "comfort and closeness as well as hunger.",
            "Praise specific things the parent does well.",
        ),
        _dont(
            "Take over handling the baby when a parent could do it with your support.",
            "Describe a baby who wants to be held as 'spoilt' or 'manipulative'.",
            "Rush a feed or an interaction to fit a routine.",
        ),
        _key_points(
            "Babies communicate from birth; serve and return builds the brain.",
            "Learn the cues for 'I'm ready' and 'I need a break'.",
            "Mismatches are normal; repair is what matters.",
        ),
        _reflection(
            "Describe a moment when you helped a parent notice what their baby was telling "
            "them. What did you say or do, and what happened next?"
        ),
    ],
)

ATTACHMENT = LessonSpec(
    "Attachment and bonding",
    "attachment-and-bonding",
    20,
    [
        _text(
            _p(
                "<b>Attachment</b> is the tie a baby forms with the people who care for "
                "them. John Bowlby described it as a biological system that keeps babies "
                "close to an adult who can protect them. Mary Ainsworth showed that babies "
                "use a trusted adult as a <b>safe haven</b> when they are upset and a "
                "<b>secure base</b> to explore from.",
                "A secure attachment grows over months from many ordinary moments of "
                "sensitive, responsive care. It is not fixed at birth and it does not "
                "depend on any single moment, such as the first hour after birth.",
            )
        ),
        _heading("Bonding takes time"),
        _text(
            _p(
                "<b>Bonding</b> usually means the parent's feelings of love and connection "
                "towards the baby. Many parents expect an instant rush of love. For lots of "
                "parents it grows more slowly, especially after a difficult pregnancy or "
                "birth, or when they are exhausted, in pain, anxious or low. Saying this "
                "out loud can bring real relief.",
                "It is worth noticing, gently, when a parent seems persistently detached "
                "from their baby, talks about the baby in a hostile way, or feels they are "
                "a bad parent. These can be signs that the parent needs more support.",
            )
        ),
        _heading("Thinking about the baby as a person"),
        _text(
            _p(
                "Parents who think about what their baby might be feeling or thinking, "
                "sometimes called <i>mind-mindedness</i>, tend to respond more sensitively. "
                "You can invite this in pregnancy as well as after birth, for example by "
                "asking: 'What do you imagine your baby is like?' or 'What do you think "
                "they make of the music you play?'"
            )
        ),
        _inset(
            _p(
                "Bonding and attachment happen with fathers, partners, co-parents and other "
                "close carers as well as mothers. Babies can form secure attachments to "
                "several people."
            )
        ),
        _key_points(
            "Attachment is the baby's tie to a protective adult: a safe haven and a secure base.",
            "Security grows from many everyday moments of responsive care.",
            "Bonding can take time, and it helps parents to hear that.",
            "Persistent detachment or hostility towards the baby is a reason to offer "
            "more support.",
        ),
        _reflection(
            "How do you talk to parents who say they do not feel close to their baby yet? "
            "What would you like to say next time?"
        ),
    ],
)

FATHERS = LessonSpec(
    "Working with fathers and co-parents",
    "working-with-fathers-and-co-parents",
    15,
    [
        _text(
            _p(
                "Fathers, partners and co-parents shape a baby's world too. Their "
                "relationship with the baby, their mental health and the way parents "
                "support each other all affect the baby's wellbeing. Yet many partners "
                "say that maternity services make them feel like visitors.",
                "Partners can have mental health difficulties in the perinatal period as "
                "well. Studies suggest that around 1 in 10 fathers experience depression "
                "during their partner's pregnancy or in the year after birth.",
            )
        ),
        _do(
            "Welcome partners by name, speak to them directly and record their details.",
            "Ask partners how they are feeling, not only how they are coping with the "
            "mother's needs.",
            "Use inclusive language that fits each family: same-sex parents, co-parents "
            "who are not a couple and grandparents who are main carers.",
            "Show partners how to read the baby's cues and involve them in skin-to-skin "
            "contact and care.",
        ),
        _warning(
            "Important",
            _p(
                "Domestic abuse often starts or gets worse during pregnancy. NICE recommends "
                "asking every woman about domestic abuse, and always when she is on her own. "
                "Never ask in front of a partner or family member, and follow your "
                "safeguarding procedures if she tells you about abuse."
            ),
        ),
        _key_points(
            "Partners and co-parents matter to the baby's wellbeing.",
            "Around 1 in 10 fathers experience perinatal depression.",
            "Include partners, and always ask women about domestic abuse when they are alone.",
        ),
    ],
    required=False,
)

RECOGNISING = LessonSpec(
    "Recognising perinatal mental health difficulties",
    "recognising-perinatal-mental-health-difficulties",
    25,
    [
        _sensitive(
            "This lesson discusses serious mental illness and suicide",
            _p(
                "It includes facts about maternal deaths by suicide. Take a break whenever "
                "you need to."
            ),
            _SUPPORT_FOR_YOU,
        ),
        _text(
            _p(
                "Up to 1 in 5 women have a mental health problem during pregnancy or in the "
                "year after birth. They include depression, anxiety, obsessive-compulsive "
                "disorder, post-traumatic stress after a traumatic birth, eating disorders "
                "and, more rarely, bipolar disorder and postpartum psychosis. Many women "
                "do not tell anyone, often because they fear being judged or that their "
                "baby will be taken away."
            )
        ),
        _heading("Baby blues or something more?"),
        _details(
            "The baby blues",
            _p(
                "Feeling tearful, anxious or low in the first week after birth is so common "
                "that it is considered normal. The baby blues do not last more than two "
                "weeks."
            ),
        ),
        _details(
            "Postnatal depression",
            _p(
                "Postnatal depression affects more than 1 in 10 women within a year of "
                "giving birth. Signs include persistent low mood, loss of interest and "
                "enjoyment, tiredness beyond what a new baby explains, difficulty bonding, "
                "withdrawing from others, and frightening thoughts. It is treatable, and "
                "the earlier help starts, the better."
            ),
        ),
        _details(
            "Postpartum psychosis",
            _p(
                "Postpartum psychosis affects about 1 to 2 in every 1,000 women who give "
                "birth. It usually starts suddenly within the first two weeks: confusion, "
                "hallucinations, delusions, mania or severe agitation. It is a psychiatric "
                "emergency. Women with bipolar disorder, or a personal or family history of "
                "postpartum psychosis, are at higher risk and need a plan before birth."
            ),
        ),
        _heading("Asking about mental health"),
        _text(
            _p(
                "NICE guidance on antenatal and postnatal mental health (CG192) says to ask "
                "about mental health at the first contact, at booking and in the early "
                "postnatal period, including these questions:"
            )
            + _ul(
                "During the past month, have you often been bothered by feeling down, "
                "depressed or hopeless?",
                "During the past month, have you often been bothered by having little "
                "interest or pleasure in doing things?",
                "Over the last 2 weeks, how often have you been bothered by feeling "
                "nervous, anxious or on edge?",
                "Over the last 2 weeks, how often have you been bothered by not being able "
                "to stop or control worrying?",
            )
            + _p(
                "Ask in a private place, explain why you ask everyone, and listen to the "
                "answer. Follow your local pathway for what to do next."
            )
        ),
        _heading("Red flags"),
        _text(
            _p(
                "Suicide is the leading cause of direct maternal death in the year after "
                "pregnancy in the UK, according to MBRRACE-UK. Its reports identify red "
                "flags that need an urgent assessment by a senior mental health "
                "professional:"
            )
            + _ul(
                "a recent significant change in mental state or new symptoms",
                "new thoughts or acts of violent self-harm",
                "new and persistent expressions of incompetence as a mother, or "
                "estrangement from the baby",
            )
        ),
        _key_points(
            "Up to 1 in 5 women have a mental health problem in the perinatal period.",
            "Baby blues pass within two weeks; postnatal depression does not.",
            "Postpartum psychosis is rare, sudden and a psychiatric emergency.",
            "Ask every woman about her mental health, as NICE recommends.",
            "Red flags need an urgent senior mental health assessment.",
        ),
        _reflection(
            "What stops women telling you how they really feel, and what could you do in "
            "your next appointment to make it easier?"
        ),
    ],
)

SIGNPOSTING = LessonSpec(
    "Getting help: signposting and referral",
    "getting-help-signposting-and-referral",
    20,
    [
        _sensitive(
            "This lesson discusses mental health crises",
            _p("It describes what to do when someone may be at risk of harming themselves."),
            _SUPPORT_FOR_YOU,
        ),
        _text(
            _p(
                "Knowing where to turn makes it easier to ask. Find out now, before you "
                "need it, how your local services work and how to refer."
            )
        ),
        _heading("Who can help"),
        _text(
            _ul(
                "<b>GP</b>: for assessment, treatment of mild to moderate difficulties and "
                "referral to talking therapies.",
                "<b>Health visitor</b>: visits every family from late pregnancy, can offer "
                "listening visits and knows local support. Share concerns, with consent, "
                "when you hand over care.",
                "<b>NHS Talking Therapies</b>: psychological therapy for anxiety and "
                "depression; parents in the perinatal period are prioritised.",
                "<b>Specialist perinatal mental health services</b>: community teams for "
                "women with moderate to severe or complex difficulties, and for planning "
                "care for women at high risk. In England every area now has one.",
                "<b>Maternal mental health services</b>, in many areas: for difficulties "
                "arising from the maternity experience, such as birth trauma, loss and "
                "severe fear of childbirth.",
                "<b>Mother and baby units</b>: inpatient care where a mother can be "
                "admitted with her baby.",
            )
        ),
        _care_card(
            "urgent",
            "If someone is struggling but not in immediate danger",
            _p(
                "Contact the perinatal mental health team or the on-call mental health "
                "service the same day, following your local pathway. In England, people "
                "can call NHS 111 and choose the mental health option. Samaritans are "
                "available free, day or night, on 116 123."
            ),
        ),
        _care_card(
            "immediate",
            "Call 999 if someone's life is at risk",
            _p(
                "Call 999 or go to A&amp;E if someone has seriously harmed themselves or is "
                "about to, or if you suspect postpartum psychosis and cannot reach the "
                "crisis service straight away. Do not leave them alone."
            ),
        ),
        _do(
            "Ask directly about thoughts of suicide. Asking does not put the idea in "
            "someone's head.",
            "Tell the woman what you will do next and who you will share information with.",
            "Record what you noticed and what was agreed, and hand over to the health "
            "visitor and GP.",
            "Talk to your supervisor or safeguarding lead when you are unsure.",
        ),
        _dont(
            "Promise to keep something secret when you may need to share it to keep someone safe.",
            "Assume someone else has already asked or referred.",
        ),
        _key_points(
            "Know your local pathway before you need it.",
            "GP, health visitor and perinatal mental health services each have a part.",
            "Samaritans: 116 123. In an emergency: 999.",
        ),
        _reflection(
            "Who would you contact today if a woman told you she was having frightening "
            "thoughts? Write down the service, how to reach it and when it is open.",
            "If you do not know, this is the time to find out from your team.",
        ),
    ],
)

MIDWIVES = CourseSpec(
    title="Infant mental health foundations for midwives",
    slug="infant-mental-health-foundations-for-midwives",
    fields={
        "summary": "What infant mental health means, how babies' brains develop through "
        "relationships in the first 1001 days, how to support attunement and bonding, and "
        "how to recognise and respond when parents' mental health is at risk. For "
        "midwives, student midwives and maternity support workers.",
        "audience_roles": ["midwife", "student_midwife", "health_visitor"],
        "mandatory_for_roles": ["midwife"],
        "imh_level": 1,
        "cpd_hours": Decimal("3.0"),
        "estimated_hours": Decimal("3.0"),
        "certificate_validity_months": 24,
        "self_enrolment": True,
        "required_live_sessions": 0,
    },
    modules=[
        ModuleSpec(
            "The first 1001 days",
            "the-first-1001-days",
            "What infant mental health is and how the brain develops from pregnancy to age two.",
            [WHAT_IS_IMH, DEVELOPING_BRAIN],
        ),
        ModuleSpec(
            "Early relationships",
            "early-relationships",
            "Attunement, serve and return, attachment and bonding, and including fathers "
            "and co-parents.",
            [SERVE_AND_RETURN, ATTACHMENT, FATHERS],
        ),
        ModuleSpec(
            "Perinatal mental health",
            "perinatal-mental-health",
            "Recognising when parents are struggling, asking about it, and getting them "
            "the right help.",
            [RECOGNISING, SIGNPOSTING],
        ),
    ],
    sessions=[
        SessionSpec(
            kind=LiveSession.Kind.WORKSHOP,
            title="Attunement in practice: workshop for midwives",
            description="Watch and discuss short films of parents and babies, practise "
            "describing babies' cues, and rehearse asking about mental health. Bring an "
            "example from your own practice to talk through.",
            days_ahead=14,
            capacity=16,
            venue="Education Centre, Northshire General Hospital, Hospital Road, "
            "Northshire NS1 4AB. Seminar room 2, first floor.",
        ),
        SessionSpec(
            kind=LiveSession.Kind.WEBINAR,
            title="Perinatal mental health: asking and signposting (webinar)",
            description="A perinatal mental health nurse and a health visitor talk through "
            "local referral pathways and answer your questions.",
            days_ahead=28,
            capacity=60,
            joining_url="https://example.org/join/imh-webinar",
        ),
    ],
)


# Course 2: early years settings.

WHY_RELATIONSHIPS = LessonSpec(
    "Why relationships matter in the early years",
    "why-relationships-matter",
    15,
    [
        _text(
            _p(
                "Babies and toddlers learn about themselves and the world through "
                "relationships. When the adults who care for them are warm, predictable "
                "and responsive, children feel safe enough to play, explore and learn. "
                "When they feel unsafe, their energy goes into staying safe instead.",
                "Children form attachments to several people: parents first, and also "
                "grandparents, childminders and nursery staff. A warm relationship with a "
                "practitioner does not replace the one with a parent; it adds to it, and "
                "helps the child cope with being apart.",
            )
        ),
        _inset(
            _p(
                "The Early Years Foundation Stage in England sets out that children learn "
                "to be strong and independent through positive relationships, and requires "
                "every child in a setting to have a key person."
            )
        ),
        _heading("Feelings first"),
        _text(
            _p(
                "Young children cannot yet calm themselves. They 'borrow' the calm of the "
                "adults around them. Helping a distressed toddler by staying close, naming "
                "the feeling and waiting with them is called <b>co-regulation</b>. Over "
                "time, and many repetitions, it becomes the child's own ability to manage "
                "feelings."
            )
        ),
        _key_points(
            "Children learn through relationships; feeling safe comes first.",
            "Attachments to practitioners add to, and never replace, those to parents.",
            "Co-regulation now builds self-regulation later.",
        ),
        _reflection(
            "Think of a child in your setting who finds it hard to settle. What helps them "
            "feel safe with you?"
        ),
    ],
)

BABY_ROOM = LessonSpec(
    "Serve and return in the baby room",
    "serve-and-return-in-the-baby-room",
    20,
    [
        _text(
            _p(
                "Every time a baby looks, babbles, points or reaches, they 'serve'. When "
                "you notice and respond, you 'return' the serve. These exchanges build the "
                "connections in the brain that support language, attention and "
                "self-control. The Center on the Developing Child at Harvard describes five "
                "steps:"
            )
            + "<ol>"
            + "".join(
                f"<li>{step}</li>"
                for step in (
                    "Notice the serve and share the child's focus of attention.",
                    "Return the serve by supporting and encouraging.",
                    "Give it a name: say what the child is seeing, doing or feeling.",
                    "Take turns, and wait: give the child time to respond.",
                    "Practise endings and beginnings: notice when the child is ready to move on.",
                )
            )
            + "</ol>"
        ),
        _heading("Care routines are relationship time"),
        _text(
            _p(
                "Nappy changes, feeding and settling for sleep are some of the few times "
                "in a busy room when a practitioner and a baby are one to one. Slow down, "
                "talk about what you are doing, wait for the baby's response and follow "
                "their lead."
            )
        ),
        _do(
            "Get down to the child's level and follow their interest.",
            "Talk about what the child is doing: 'You've found the blue cup.'",
            "Wait for a response, even a look or a sound, before you carry on.",
            "Tell the baby what will happen before you pick them up or change them.",
        ),
        _dont(
            "Rush care routines to get through the list.",
            "Talk over babies' heads to colleagues during care.",
            "Ignore quiet babies because they make no demands: they need serves too.",
        ),
        _key_points(
            "Babies and toddlers 'serve' all day; returning serves builds their brains.",
            "Use care routines as one-to-one relationship time.",
            "Quiet babies need your attention as much as noisy ones.",
        ),
    ],
)

KEY_PERSON = LessonSpec(
    "Being a key person",
    "being-a-key-person",
    20,
    [
        _text(
            _p(
                "In England the Early Years Foundation Stage requires every child to have a "
                "key person. The key person makes sure the child's care fits their needs, "
                "helps them become familiar with the setting, offers a settled "
                "relationship, and builds a relationship with their parents.",
                "The key person approach, described by Peter Elfer, Elinor Goldschmied and "
                "Dorothy Selleck, is more than a name on a list. It means the same "
                "practitioner greets the child, settles them, changes and feeds them where "
                "possible, and knows their family.",
            )
        ),
        _heading("Close relationships at work"),
        _text(
            _p(
                "Caring closely for young children can stir strong feelings in "
                "practitioners: affection, worry, sometimes rivalry with parents or sadness "
                "when a child moves on. Researchers such as Dr Jools Page use the term "
                "<i>professional love</i> for the warm, boundaried care children need. "
                "Talking about these feelings in supervision is part of doing the job well."
            )
        ),
        _details(
            "When the key person is away",
            _p(
                "Pair each key person with a 'buddy' who also knows the child and family "
                "well, so the child always has a familiar person during holidays, training "
                "days and sickness."
            ),
        ),
        _key_points(
            "Every child must have a key person under the EYFS.",
            "The key person approach is about a real, consistent relationship.",
            "A buddy keeps things familiar when the key person is away.",
            "Supervision helps with the feelings close care brings up.",
        ),
        _reflection(
            "Which parts of a child's day do you, as their key person, make sure you are "
            "there for? What gets in the way?"
        ),
    ],
)

PARENTS = LessonSpec(
    "Working in partnership with parents",
    "working-in-partnership-with-parents",
    15,
    [
        _text(
            _p(
                "Parents are the experts on their own children. Sharing what you each know "
                "helps the child: how they slept, what comforts them, new words, worries. "
                "Short, warm conversations at drop-off and pick-up build trust that makes "
                "harder conversations possible later.",
                "Include fathers, partners, co-parents and other carers. Ask how each family "
                "would like to be contacted, and share information with everyone who has "
                "parental responsibility unless there is a reason not to.",
            )
        ),
        _do(
            "Ask 'What is your child like at home?' and use the answer.",
            "Share something specific and positive about the child's day.",
            "Respect families' cultures and routines around sleep, food and comfort.",
            "Notice how parents seem, as well as how the child is.",
        ),
        _dont(
            "Save concerns for a formal meeting when a quiet word could help now.",
            "Use jargon or acronyms with parents.",
        ),
        _key_points(
            "Parents know their child best; share knowledge both ways.",
            "Everyday conversations build the trust harder ones need.",
            "Include every parent and carer who is important to the child.",
        ),
    ],
)

SETTLING_IN = LessonSpec(
    "Settling in",
    "settling-in",
    20,
    [
        _text(
            _p(
                "Starting nursery means being apart from the people a child is attached to. "
                "Protest and crying at separation are normal and healthy: they show the "
                "child has strong attachments. A gradual start, with a parent staying at "
                "first and the key person there every time, helps the child build a new "
                "relationship before they are asked to manage without their parent.",
                "In the 1950s and 1960s, films by James and Joyce Robertson showed how "
                "young children separated from their parents, without a familiar "
                "substitute, moved from protest to despair and then to apparent "
                "detachment. Their work changed how hospitals and nurseries care for "
                "young children.",
            )
        ),
        _warning(
            "Quiet does not always mean settled",
            _p(
                "A child who stops crying but is withdrawn, not playing, not eating or "
                "sleeping far more than usual may not have settled. Talk to the family and "
                "slow the settling-in down."
            ),
        ),
        _heading("A settling-in plan"),
        _text(
            _ul(
                "Visit the family at home, or have an unhurried first visit, to learn the "
                "child's routines, comforts and words.",
                "Begin with short sessions with a parent present, then short separations.",
                "Agree how the parent will say goodbye: always say goodbye, never slip away.",
                "Welcome comfort objects from home.",
                "Let the parent know how the child is doing during the first separations.",
            )
        ),
        _key_points(
            "Crying at separation is a sign of healthy attachment.",
            "Settle gradually, with the key person there every time.",
            "Quiet and withdrawn is not the same as settled.",
        ),
        _reflection(
            "Think of a child whose settling-in went well and one that was harder. What "
            "made the difference?"
        ),
    ],
)

TRANSITIONS = LessonSpec(
    "Transitions within and beyond the setting",
    "transitions",
    15,
    [
        _text(
            _p(
                "Moving to a new room, a change of key person, a new sibling, moving house "
                "or starting school are all transitions. Each one asks a child to form new "
                "relationships and manage the loss of familiar ones.",
                "Plan transitions the way you plan settling in: visits with a familiar "
                "adult, time to get to know the new key person, and handing over what you "
                "know about the child. Tell parents early and listen to their views.",
            )
        ),
        _inset(
            _p(
                "Children's behaviour often changes around transitions: more clinginess, "
                "tantrums or toileting accidents. This is usually a sign of stress, not "
                "naughtiness, and calls for more comfort, not less."
            )
        ),
        _key_points(
            "Every transition is a change of relationships for the child.",
            "Plan transitions gradually and share what you know.",
            "Changed behaviour around transitions usually means the child needs comfort.",
        ),
    ],
    required=False,
)

MORE_SUPPORT = LessonSpec(
    "When a family needs more support",
    "when-a-family-needs-more-support",
    20,
    [
        _sensitive(
            "This lesson discusses parents' mental health and safeguarding",
            _p("It describes situations where children and parents may be at risk."),
            _SUPPORT_FOR_YOU,
        ),
        _text(
            _p(
                "You see families often, and you may be the first to notice that a parent "
                "is struggling: seeming low, anxious or exhausted, withdrawn from their "
                "child, or talking about not coping. Parents' mental health affects how "
                "they can respond to their children, and children notice."
            )
        ),
        _heading("What you can do"),
        _do(
            "Make time for a private, unhurried conversation and listen.",
            "Tell the parent what you have noticed, kindly and without judgement.",
            "Encourage them to talk to their GP or health visitor, and offer to help them "
            "make contact.",
            "Talk to your setting's designated safeguarding lead about any concern for "
            "the child's welfare, and record it.",
        ),
        _dont(
            "Try to counsel or treat a parent yourself.",
            "Keep a safeguarding concern to yourself because you are not sure.",
        ),
        _care_card(
            "urgent",
            "If a parent tells you they are not coping",
            _p(
                "Encourage them to contact their GP or health visitor today. In England "
                "they can call NHS 111 and choose the mental health option. Samaritans "
                "are available free, day or night, on 116 123. Tell your designated "
                "safeguarding lead."
            ),
        ),
        _care_card(
            "immediate",
            "In an emergency, call 999",
            _p(
                "Call 999 if a parent or child is in immediate danger, or if a parent has "
                "seriously harmed themselves or says they are about to."
            ),
        ),
        _key_points(
            "You may be the first to notice a parent is struggling.",
            "Listen, encourage them towards their GP or health visitor, and record.",
            "Share concerns about a child's welfare with your designated safeguarding lead.",
            "Samaritans: 116 123. In an emergency: 999.",
        ),
        _reflection(
            "Who is the designated safeguarding lead in your setting, and how would you "
            "reach them, or their deputy, today?"
        ),
    ],
)

EARLY_YEARS = CourseSpec(
    title="Parent\u2013infant relationships in early years settings",
    slug="parent-infant-relationships-in-early-years-settings",
    fields={
        "summary": "How babies and toddlers form relationships in group care, the key "
        "person approach, settling in and transitions, working with parents, and what to "
        "do when a family needs more support. For nursery nurses, early years "
        "practitioners and children's centre staff.",
        "audience_roles": ["nursery_nurse", "childrens_centre_worker"],
        "mandatory_for_roles": [],
        "imh_level": 1,
        "cpd_hours": Decimal("2.5"),
        "estimated_hours": Decimal("2.5"),
        "certificate_validity_months": None,
        "self_enrolment": True,
        "required_live_sessions": 0,
    },
    modules=[
        ModuleSpec(
            "Relationships first",
            "relationships-first",
            "Why relationships matter for young children's learning, and serve and return "
            "in everyday care.",
            [WHY_RELATIONSHIPS, BABY_ROOM],
        ),
        ModuleSpec(
            "The key person approach",
            "the-key-person-approach",
            "The key person's role, the feelings it brings, and working in partnership "
            "with parents.",
            [KEY_PERSON, PARENTS],
        ),
        ModuleSpec(
            "Transitions and support",
            "transitions-and-support",
            "Settling in, transitions, and what to do when a family needs more help.",
            [SETTLING_IN, TRANSITIONS, MORE_SUPPORT],
        ),
    ],
    sessions=[
        SessionSpec(
            kind=LiveSession.Kind.GROUP_SUPERVISION,
            title="Group supervision: key person relationships",
            description="A reflective group for key persons, led by an infant mental "
            "health practitioner. Bring a situation with a child or family that has stayed "
            "with you. What is said in the group stays in the group.",
            days_ahead=28,
            capacity=8,
            venue="Northshire Children's Centre, 12 Market Street, Northshire NS2 3CD. "
            "Meeting room.",
        ),
    ],
)

COURSES = (MIDWIVES, EARLY_YEARS)

PATHWAY = {
    "slug": "health-visitor-imh-pathway",
    "title": "Health visitor IMH pathway",
    "summary": "Health visitors work with families from late pregnancy until children start "
    "school. This pathway covers the perinatal foundations, then relationships in the early "
    "years settings many of those children attend.",
    "role": "health_visitor",
}


# Loading.


def _publish(page):
    page.save_revision().publish()
    return page


def _course(index: CourseIndexPage, spec: CourseSpec) -> CoursePage:
    existing = CoursePage.objects.child_of(index).filter(slug=spec.slug).first()
    if existing is not None:
        # Written once: a second run leaves the course (and any edits since) alone.
        return existing
    course = _publish(
        index.add_child(instance=CoursePage(title=spec.title, slug=spec.slug, **spec.fields))
    )
    for module_spec in spec.modules:
        module = _publish(
            course.add_child(
                instance=ModulePage(
                    title=module_spec.title, slug=module_spec.slug, summary=module_spec.summary
                )
            )
        )
        for lesson_spec in module_spec.lessons:
            _publish(
                module.add_child(
                    instance=LessonPage(
                        title=lesson_spec.title,
                        slug=lesson_spec.slug,
                        estimated_minutes=lesson_spec.minutes,
                        required=lesson_spec.required,
                        body=lesson_spec.body,
                    )
                )
            )
    return course


def _when(days_ahead: int, hour: int, minute: int) -> datetime.datetime:
    """UK time on the working day ``days_ahead`` days from today (or the Monday after)."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    if day.weekday() >= 5:
        day += datetime.timedelta(days=7 - day.weekday())
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UK)


def _sessions(course: CoursePage, specs: list[SessionSpec], facilitator) -> None:
    """Each session once, always in the future: a stale demo's sessions move forward."""
    now = timezone.now()
    for spec in specs:
        session = LiveSession.objects.filter(course=course, title=spec.title).first()
        if session is not None and (
            session.starts_at > now or session.status == LiveSession.Status.CANCELLED
        ):
            continue
        session = session or LiveSession(course=course, title=spec.title)
        session.kind = spec.kind
        session.description = spec.description
        session.starts_at = _when(spec.days_ahead, 9, 30)
        session.ends_at = _when(spec.days_ahead, 12, 30)
        session.venue = spec.venue
        session.joining_url = spec.joining_url
        session.capacity = spec.capacity
        session.facilitator = facilitator
        session_save(session=session, actor=facilitator)


def _pathway(courses: list[CoursePage]) -> Pathway:
    pathway, created = Pathway.objects.get_or_create(
        slug=PATHWAY["slug"],
        defaults={key: value for key, value in PATHWAY.items() if key != "slug"},
    )
    if created:
        for order, course in enumerate(courses):
            PathwayCourse.objects.create(pathway=pathway, course=course, sort_order=order)
    return pathway


def _trainee_progress(course: CoursePage, trainee) -> None:
    """The demo trainee has started the first course: one lesson done, one opened."""
    if Enrolment.objects.filter(user=trainee, course=course).exists():
        return
    enrolment_create(user=trainee, course=course)
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path")[:2])
    lesson_complete(user=trainee, lesson=lessons[0])
    Enrolment.objects.filter(user=trainee, course=course, status="active").update(
        last_lesson=lessons[1]
    )


INDEX_INTRODUCTION = _p(
    "Online lessons and live sessions in infant mental health for everyone who works with "
    "babies and their families. Each course says who it is for, its level and how many CPD "
    "hours it gives."
)


def demo_courses_load(*, facilitator, trainee=None) -> list[CoursePage]:
    """Load the demo courses, pathway and live sessions. Safe to run again."""
    index = CourseIndexPage.objects.order_by("path").first()
    if index is None:
        raise RuntimeError("There is no courses area to put the demo courses in.")
    if not index.introduction:
        index.introduction = INDEX_INTRODUCTION
        _publish(index)
    courses = [_course(index, spec) for spec in COURSES]
    for course, spec in zip(courses, COURSES, strict=True):
        _sessions(course, spec.sessions, facilitator)
    _pathway(courses)
    if trainee is not None:
        _trainee_progress(courses[0], trainee)
    return courses
