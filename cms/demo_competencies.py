"""The demo's competency layer: the sample framework, what the demo courses cover, a quiz.

Loaded after the demo courses and safe to run again. The framework is the project's own
illustrative sample (not the AiMH UK framework); the quiz questions are written for the demo.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from imh_assessments.models import Question, Quiz
from imh_assessments.services.quizzes import question_create, quiz_create
from imh_competencies.frameworks_io import framework_import_sample
from imh_competencies.models import (
    Competency,
    Framework,
    Observation,
    PageCompetency,
    SelfAssessment,
)
from imh_competencies.services import observation_record, self_assessment_save
from imh_courses.models import CoursePage, LessonPage, LiveSession

# (page slug, [(competency code, level)]): course pages and lessons of the demo courses.
PAGE_MAPPINGS: dict[str, list[tuple[str, int]]] = {
    "infant-mental-health-foundations-for-midwives": [
        ("IDR1", 1),
        ("IDR2", 1),
        ("ACG1", 1),
        ("PMH1", 1),
        ("PMH3", 1),
    ],
    "what-is-infant-mental-health": [("IDR1", 1)],
    "the-developing-brain": [("IDR1", 1)],
    "attunement-and-serve-and-return": [("IDR2", 1), ("IDR3", 1)],
    "attachment-and-bonding": [("ACG1", 1)],
    "working-with-fathers-and-co-parents": [("WWF3", 1)],
    "recognising-perinatal-mental-health-difficulties": [("PMH1", 1), ("PMH2", 1)],
    "getting-help-signposting-and-referral": [("PMH3", 1), ("SAR2", 1)],
    "parent-infant-relationships-in-early-years-settings": [
        ("IDR3", 1),
        ("ACG2", 1),
        ("ACG3", 1),
        ("WWF1", 1),
    ],
    "why-relationships-matter": [("IDR1", 1)],
    "serve-and-return-in-the-baby-room": [("IDR2", 1), ("IDR3", 1)],
    "being-a-key-person": [("ACG2", 1)],
    "working-in-partnership-with-parents": [("WWF1", 1), ("WWF2", 1)],
    "settling-in": [("ACG3", 1)],
    "transitions": [("ACG3", 1)],
    "when-a-family-needs-more-support": [("SAR1", 1), ("SAR2", 1)],
}

# Live sessions practise at the next level up.
SESSION_MAPPINGS: dict[str, list[tuple[str, int]]] = {
    "Attunement in practice: workshop for midwives": [("IDR2", 2), ("OBA1", 2)],
    "Perinatal mental health: asking and signposting (webinar)": [("PMH2", 2), ("PMH3", 2)],
    "Group supervision: key person relationships": [("RPS1", 2), ("RPS2", 2)],
}

QUIZ_LESSON = "attunement-and-serve-and-return"
QUIZ_TITLE = "Check your understanding: attunement"
QUIZ_QUESTIONS = [
    {
        "kind": Question.Kind.SINGLE,
        "text": "<p>A baby looks at you, then turns away and arches their back. What is the "
        "most likely meaning?</p>",
        "category": "Attunement",
        "general_feedback": "<p>Looking away is one of a baby's ways of saying they need a "
        "pause.</p>",
        "options": [
            ("They need a short break from interaction", True, "Yes: give them a moment."),
            ("They want more eye contact", False, "Turning away usually asks for less."),
            ("They are tired of the adult", False, "It is a pause, not a rejection."),
        ],
        "competencies": [("IDR2", 1)],
    },
    {
        "kind": Question.Kind.MULTIPLE,
        "text": "<p>Which of these are examples of serve and return? Choose all that apply.</p>",
        "category": "Attunement",
        "general_feedback": "",
        "options": [
            ("Copying a baby's babble back to them", True, "A return to the baby's serve."),
            ("Naming what a baby is pointing at", True, "Responding to their lead."),
            ("Playing music in the background all day", False, "Not a response to the baby."),
        ],
        "competencies": [("IDR3", 1)],
    },
    {
        "kind": Question.Kind.TRUE_FALSE,
        "text": "<p>Parents need to be in tune with their baby all of the time.</p>",
        "category": "Attunement",
        "general_feedback": "<p>Moments of mismatch are normal; repairing them is what "
        "matters.</p>",
        "true_false_answer": False,
        "options": [],
        "competencies": [("IDR2", 1)],
    },
]


def _codes(framework: Framework) -> dict[str, Competency]:
    return {c.code: c for c in Competency.objects.filter(framework=framework)}


def _map_pages(codes: dict[str, Competency]) -> None:
    pages = {
        page.slug: page
        for page in [
            *CoursePage.objects.filter(slug__in=PAGE_MAPPINGS),
            *LessonPage.objects.filter(slug__in=PAGE_MAPPINGS),
        ]
    }
    for slug, pairs in PAGE_MAPPINGS.items():
        page = pages.get(slug)
        if page is None or PageCompetency.objects.filter(page=page).exists():
            continue
        for order, (code, level) in enumerate(pairs):
            PageCompetency.objects.create(
                page=page, competency=codes[code], level=level, sort_order=order
            )


def _map_sessions(codes: dict[str, Competency]) -> None:
    from imh_courses.models import LiveSessionCompetency

    for session in LiveSession.objects.filter(title__in=SESSION_MAPPINGS):
        if session.competency_mappings.exists():
            continue
        for order, (code, level) in enumerate(SESSION_MAPPINGS[session.title]):
            LiveSessionCompetency.objects.create(
                session=session, competency=codes[code], level=level, sort_order=order
            )


def _quiz(codes: dict[str, Competency]) -> Quiz:
    quiz = Quiz.objects.filter(title=QUIZ_TITLE).first()
    if quiz is not None:
        return quiz
    questions = [
        question_create(
            kind=spec["kind"],
            text=spec["text"],
            category=spec["category"],
            general_feedback=spec["general_feedback"],
            true_false_answer=spec.get("true_false_answer"),
            options=spec["options"],
            competencies=[(codes[code], level) for code, level in spec["competencies"]],
        )
        for spec in QUIZ_QUESTIONS
    ]
    return quiz_create(
        title=QUIZ_TITLE,
        questions=questions,
        introduction="<p>Three questions on reading and responding to a baby's cues.</p>",
        pass_mark=60,
        attempts_allowed=3,
        shuffle_options=True,
    )


def _place_quiz(quiz: Quiz) -> None:
    lesson = LessonPage.objects.filter(slug=QUIZ_LESSON).first()
    if lesson is None:
        return
    if any(block.block_type == "quiz" for block in lesson.body):
        return
    lesson.body.append(("quiz", {"quiz": quiz, "required": False}))
    lesson.save_revision().publish()


def _trainee_evidence(framework: Framework, codes: dict[str, Competency], *, educator, trainee):
    """The demo trainee has rated themself and been observed once on a home visit."""
    if not SelfAssessment.objects.filter(user=trainee, competency__framework=framework).exists():
        self_assessment_save(
            user=trainee,
            framework=framework,
            level=1,
            ratings={
                codes["IDR1"].pk: SelfAssessment.Rating.ACHIEVED,
                codes["IDR2"].pk: SelfAssessment.Rating.WORKING_TOWARDS,
                codes["PMH1"].pk: SelfAssessment.Rating.NOT_YET,
                codes["ACG1"].pk: SelfAssessment.Rating.ACHIEVED,
            },
        )
    if not Observation.objects.filter(trainee=trainee, observer=educator).exists():
        observation_record(
            observer=educator,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate() - datetime.timedelta(days=7),
            setting="Postnatal home visit",
            ratings=[
                (codes["IDR2"].pk, 1, "met"),
                (codes["OBA1"].pk, 1, "not_yet"),
            ],
            comments=(
                "Noticed the baby turning away during the feed and suggested a pause; talked "
                "the mother through what the baby was showing. Next time, note what you see "
                "before you suggest anything."
            ),
        )


@transaction.atomic
def demo_competencies_load(*, educator=None, trainee=None) -> Framework:
    """Import the sample framework, map the demo courses and sessions to it, add a quiz,
    and give the demo trainee a self-assessment and an observation."""
    framework = framework_import_sample()
    codes = _codes(framework)
    _map_pages(codes)
    _map_sessions(codes)
    _place_quiz(_quiz(codes))
    if educator is not None and trainee is not None:
        _trainee_evidence(framework, codes, educator=educator, trainee=trainee)
    return framework
