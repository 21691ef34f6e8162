"""Factories for course pages and learning records."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from imh_courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage


def course_index() -> CourseIndexPage:
    """The courses area the site's migration creates."""
    return CourseIndexPage.objects.first()


def create_course(
    *,
    title: str = "Infant mental health foundations",
    modules: int = 3,
    lessons_per_module: int = 2,
    publish: bool = True,
    **fields,
) -> CoursePage:
    """A published course with ``modules`` modules of ``lessons_per_module`` lessons each."""
    fields.setdefault("summary", "What babies need from the adults around them.")
    fields.setdefault("cpd_hours", Decimal("3.0"))
    fields.setdefault("estimated_hours", Decimal("3.5"))
    slug = fields.pop("slug", None) or f"course-{CoursePage.objects.count() + 1}"
    course = course_index().add_child(instance=CoursePage(title=title, slug=slug, **fields))
    if publish:
        course.save_revision().publish()
    for module_number in range(1, modules + 1):
        module = course.add_child(
            instance=ModulePage(
                title=f"Module {module_number}",
                slug=f"module-{module_number}",
                summary=f"What module {module_number} covers.",
            )
        )
        if publish:
            module.save_revision().publish()
        for lesson_number in range(1, lessons_per_module + 1):
            lesson = module.add_child(
                instance=LessonPage(
                    title=f"Lesson {module_number}.{lesson_number}",
                    slug=f"lesson-{lesson_number}",
                    body=[
                        (
                            "text",
                            f"<p>Teaching text for lesson {module_number}.{lesson_number}.</p>",
                        )
                    ],
                    estimated_minutes=20,
                )
            )
            if publish:
                lesson.save_revision().publish()
    return course


def lessons_of(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def in_days(days: float):
    return timezone.now() + timezone.timedelta(days=days)


# Learning records (enrolments, progress, live-session attendance, reflection prompts).


def add_reflection_prompt(
    lesson: LessonPage,
    *,
    block_id: str = "reflect-1",
    prompt: str = "How did the baby show you what they needed?",
    guidance: str = "",
) -> str:
    """Put a reflection prompt with a known block id at the end of the (live) lesson."""
    lesson.body.append(("reflection", {"prompt": prompt, "guidance": guidance}, block_id))
    lesson.save()
    lesson.refresh_from_db()
    return block_id


def create_attended_booking(
    *,
    user,
    course: CoursePage,
    title: str = "Watch, wait and wonder workshop",
    starts_in_days: float = -1,
    booked_at=None,
    attendance: str = "attended",
):
    """A confirmed booking, with attendance marked, for a new session of ``course``."""
    from imh_courses.models import Booking, LiveSession

    starts_at = in_days(starts_in_days)
    session = LiveSession.objects.create(
        course=course,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timezone.timedelta(hours=2),
        venue="Seminar room 2, Children's Centre",
    )
    return Booking.objects.create(
        session=session,
        user=user,
        status=Booking.Status.CONFIRMED,
        attendance=attendance,
        created_at=booked_at or timezone.now(),
    )
