"""Course and lesson pages against a bare Wagtail page of the same text, in the same run.

The course has 5 modules of 10 lessons, each lesson about 1,000 words; the bare page is a
cms.StandardPage whose body is the very same blocks. The target is that a lesson (read by
an enrolled trainee) and the course page (with its outline of 50 lessons and the trainee's
progress) cost no more than 1.3 times the bare page, seen by the same person. The pages
take turns request by request (see ``_sample``), so the ratios survive a busy machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, compare

MODULES = 5
LESSONS_PER_MODULE = 10
TARGET = "<= 1.3x bare page"

_PARAGRAPHS = [
    "Babies are born ready to connect. From the first hours they turn towards voices, "
    "study faces and quieten when they are held close. What they cannot yet do is manage "
    "their own feelings: a hungry, cold or frightened baby depends on an adult to notice "
    "and to help. Each time that happens, the baby learns a little more that the world is "
    "safe and that their signals matter. Over thousands of ordinary moments, this is how "
    "emotional regulation and trust are built.",
    "Serve and return describes the back-and-forth between a baby and the adults who care "
    "for them. The baby serves with a look, a sound or a gesture, and the adult returns it "
    "by looking back, smiling, copying the sound or putting what they see into words. When "
    "these exchanges are frequent and warm, they strengthen the connections in the "
    "developing brain that later support language, attention and self-control. When they "
    "are missing for long periods, the baby's stress response stays switched on.",
    "Attunement is the adult's side of this: noticing the baby's cues and responding in a "
    "way that fits. Nobody is attuned all the time. Research on mother and baby interaction "
    "suggests that misattunement is common and ordinary, and that what matters most is "
    "repair: noticing that something has gone wrong and putting it right. Babies whose "
    "carers repair reliably learn that difficult feelings can be survived and shared.",
    "Practitioners can support attunement without taking over. Describing what you see "
    "(\u201cshe\u2019s looking right at you\u201d) helps a parent notice their baby's "
    "interest in them. Asking what the parent thinks the baby is feeling invites them to "
    "see the baby as a person with a mind of their own. Praise that is specific and "
    "genuine builds confidence far more than advice given from the outside.",
    "Some parents find this hard. Depression, anxiety, trauma, domestic abuse and poverty "
    "all make it harder to notice and respond to a baby. These parents need support, not "
    "judgement, and they often need it from a service that knows them. Ask, listen, record "
    "what you have noticed, and follow your local pathway so that the family is offered "
    "the right help at the right time.",
]


def _body() -> list[tuple[str, object]]:
    """About 1,000 words in the blocks lessons and standard pages share."""
    blocks: list[tuple[str, object]] = []
    for section in range(1, 4):
        blocks.append(("heading", {"text": f"Part {section}: relationships first", "level": "h2"}))
        blocks.append(("text", "".join(f"<p>{paragraph}</p>" for paragraph in _PARAGRAPHS)))
        blocks.append(
            (
                "inset_text",
                {"body": f"<p>{_PARAGRAPHS[section]}</p>"},
            )
        )
    blocks.append(
        (
            "details",
            {
                "title": "What does the research say?",
                "body": [("richtext", f"<p>{_PARAGRAPHS[2]}</p>")],
            },
        )
    )
    return blocks


def _build():
    from cms.models import HomePage, StandardPage
    from imh_courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, ModulePage
    from imh_courses.services.learning import enrolment_create, lesson_complete
    from tests.factories import UserFactory

    body = _body()
    home = HomePage.objects.get()
    bare = StandardPage.objects.filter(slug="bench-bare").first()
    if bare is None:
        bare = home.add_child(
            instance=StandardPage(
                title="A bare page", slug="bench-bare", introduction="Same text.", body=body
            )
        )
        bare.save_revision().publish()

    course = CoursePage.objects.filter(slug="bench-course").first()
    if course is None:
        index = CourseIndexPage.objects.get()
        course = index.add_child(
            instance=CoursePage(
                title="Benchmark course",
                slug="bench-course",
                summary="Fifty lessons of realistic length, to time the course pages.",
                cpd_hours=Decimal("6.0"),
                estimated_hours=Decimal("12.0"),
                audience_roles=["midwife", "health_visitor"],
                mandatory_for_roles=["midwife"],
            )
        )
        course.save_revision().publish()
        for module_number in range(1, MODULES + 1):
            module = course.add_child(
                instance=ModulePage(
                    title=f"Module {module_number}",
                    slug=f"module-{module_number}",
                    summary="What this module covers, in a sentence.",
                )
            )
            module.save_revision().publish()
            for lesson_number in range(1, LESSONS_PER_MODULE + 1):
                lesson = module.add_child(
                    instance=LessonPage(
                        title=f"Lesson {module_number}.{lesson_number}: serve and return",
                        slug=f"lesson-{lesson_number}",
                        body=body,
                        estimated_minutes=20,
                    )
                )
                lesson.save_revision().publish()

    lessons = list(LessonPage.objects.descendant_of(course).order_by("path"))
    trainees = []
    for username in ("bench-trainee", "bench-reader"):
        trainee = UserFactory(username=username)
        if not Enrolment.objects.filter(user=trainee, course=course).exists():
            enrolment_create(user=trainee, course=course)
            for lesson in lessons[:12]:
                lesson_complete(user=trainee, lesson=lesson)
        trainees.append(trainee)
    return bare, course, lessons, trainees


def _sample(cases: list[tuple[str, Callable[[], object], str]], *, runs: int = 60) -> list[Result]:
    """``harness.measure`` for several pages at once, taking turns request by request.

    The machines this runs on are shared; measured one after another, a change in load
    between two pages' turns shows up as a false ratio. Taking turns spreads any change
    over every page alike, so the ratios hold steady from run to run.
    """
    for _, fn, _ in cases:
        for _ in range(5):
            fn()
    queries = {}
    for name, fn, _ in cases:
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[name] = len(captured.captured_queries)
    timings: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(runs):
        for name, fn, _ in cases:
            start = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - start) * 1000)
    results = []
    for name, _, target in cases:
        values = sorted(timings[name])
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        results.append(Result(name, statistics.median(values), p95, queries[name], target))
    return results


def run() -> list[Result]:
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    bare, course, lessons, (trainee, reader) = _build()
    bare_url, course_url, lesson_url = bare.url, course.url, lessons[24].url
    reading = [lessons[30].url, lessons[31].url]

    anonymous = Client()
    for url in (bare_url, course_url, lesson_url):
        assert anonymous.get(url).status_code == 200, url
    enrolled = Client()
    enrolled.force_login(trainee)
    assert "Mark as complete" in enrolled.get(lesson_url).content.decode()
    outline_key = enrolled.get(course_url).context["outline_key"]
    fragment = make_template_fragment_key("courses_course_outline", [outline_key])
    reading_client = Client()
    reading_client.force_login(reader)

    def next_lesson_each_time():
        # Another trainee reads on: each view opens a different lesson than the last, so
        # each records where they left off (one UPDATE), as when working through a course.
        reading.reverse()
        return reading_client.get(reading[0])

    def course_page_first_view():
        cache.delete(fragment)  # as after a tick changes: the outline is rendered afresh
        return enrolled.get(course_url)

    (
        bare_anonymous,
        course_anonymous,
        bare_enrolled,
        lesson_enrolled,
        lesson_reading,
        course_enrolled,
        course_cold,
    ) = _sample(
        [
            ("bare page, anonymous", lambda: anonymous.get(bare_url), ""),
            ("course page (50 lessons), anonymous", lambda: anonymous.get(course_url), TARGET),
            ("bare page, enrolled trainee", lambda: enrolled.get(bare_url), ""),
            ("lesson page, enrolled trainee", lambda: enrolled.get(lesson_url), TARGET),
            ("lesson page, enrolled, next lesson each time", next_lesson_each_time, ""),
            ("course page (50 lessons), enrolled", lambda: enrolled.get(course_url), TARGET),
            ("course page, enrolled, outline not cached", course_page_first_view, ""),
        ]
    )
    return [
        bare_anonymous,
        compare(course_anonymous, bare_anonymous),
        bare_enrolled,
        compare(lesson_enrolled, bare_enrolled),
        compare(lesson_reading, bare_enrolled),
        compare(course_enrolled, bare_enrolled),
        compare(course_cold, bare_enrolled),
    ]
